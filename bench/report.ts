// Prints the benchmark's tables (Markdown, readable in a terminal and ready for the README).
import type { Stats } from './measure.js';

export interface Row {
  name: string;
  time: Stats;
  /** What the time ratio is taken against; floors themselves have none. */
  floor?: 'node -e 0' | 'http floor';
  ratio?: number;
  target?: number;
  rssKiB: number;
  rssRatio: number;
  rssTarget?: number;
  requests?: { total: number; exchanges: number };
  instructions?: number;
}

export interface NodeReport {
  node: string;
  version: string;
  runs: number;
  rssRuns: number;
  rows: Row[];
  notes: string[];
  exchangesFor16Parallel: number;
}

const x = (n: number): string => `${n.toFixed(2)}×`;
const verdict = (ratio: number | undefined, target: number | undefined): string =>
  ratio === undefined || target === undefined ? '' : `≤ ${target.toFixed(2)}× ${ratio <= target ? 'met' : 'MISSED'}`;

function table(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function nodeTable(r: NodeReport): string {
  const withInstructions = r.rows.some((row) => row.instructions !== undefined);
  const head = ['command', 'median ms (IQR)', 'time ratio', 'target', 'peak RSS', 'RSS ratio', 'target', 'requests'];
  if (withInstructions) head.push('instructions', 'instr. ratio');
  const rows = r.rows.map((row) => {
    const cells = [
      row.name,
      `${row.time.median.toFixed(1)} (${row.time.q1.toFixed(1)}–${row.time.q3.toFixed(1)})`,
      row.ratio === undefined ? '' : `${x(row.ratio)} ${row.floor}`,
      verdict(row.ratio, row.target),
      `${(row.rssKiB / 1024).toFixed(1)} MiB`,
      x(row.rssRatio),
      verdict(row.rssRatio, row.rssTarget),
      row.requests ? `${row.requests.total}${row.requests.exchanges ? ` (${row.requests.exchanges} exchange)` : ''}` : '',
    ];
    if (withInstructions) {
      const floor = r.rows[row.floor === 'http floor' ? 1 : 0]?.instructions;
      cells.push(row.instructions === undefined ? '' : `${(row.instructions / 1e6).toFixed(0)} M`);
      cells.push(row.floor && row.instructions && floor ? x(row.instructions / floor) : '');
    }
    return cells;
  });
  return table(head, rows);
}

/** One column per Node version: the ratios the targets are about. */
function summary(reports: NodeReport[]): string {
  const names = [...new Set(reports.flatMap((r) => r.rows.filter((row) => row.floor).map((row) => row.name)))];
  const cell = (r: NodeReport, name: string, pick: (row: Row) => string): string => {
    const row = r.rows.find((rw) => rw.name === name);
    return row ? pick(row) : 'skipped';
  };
  const rows = names.map((name) => {
    const first = reports.flatMap((r) => r.rows).find((row) => row.name === name)!;
    return [`${name} ÷ ${first.floor}`, first.target ? `≤ ${first.target.toFixed(2)}×` : '', ...reports.map((r) => cell(r, name, (row) => x(row.ratio!)))];
  });
  rows.push(['peak RSS of `token list` (file) ÷ `node -e 0`', '≤ 1.40×', ...reports.map((r) => cell(r, 'osmo token list, warm, file store', (row) => x(row.rssRatio)))]);
  rows.push(['one node:http request ÷ `node -e 0`', '', ...reports.map((r) => x(r.rows[1]!.time.median / r.rows[0]!.time.median))]);
  return table(['ratio', 'target', ...reports.map((r) => `Node ${r.version}`)], rows);
}

export function printReport(reports: NodeReport[], opts: { inheritNodeEnv: boolean }): void {
  for (const r of reports) {
    console.log(`\n## Node ${r.version} (${r.node})\n`);
    console.log(nodeTable(r));
    console.log(`\nPAT exchanges for 16 parallel \`token list\` right after expiry: ${r.exchangesFor16Parallel} (target 1)`);
    for (const note of r.notes) console.log(`Note: ${note}`);
  }
  console.log('\n## Summary\n');
  console.log(summary(reports));
  const env = opts.inheritNodeEnv ? "the caller's NODE_* variables kept" : 'a clean environment (no NODE_*, OSMO_* or proxy variables)';
  console.log(`\nMedian of ${reports[0]!.runs} runs (peak RSS: median of ${reports[0]!.rssRuns}) after a warm-up run, in ${env}; ${new Date().toISOString()}.`);
}
