// The table `osmo token list` draws: the same bytes cli-table3 drew before
// (piped output must not change), fitted to a terminal by cutting one column,
// and linear in the number of rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { renderTable } from '../src/util/table.js';
import { terminalSafe } from '../src/util/display-text.js';

const require = createRequire(import.meta.url);
const HEAD = ['Name', 'Description', 'Active', 'Expires At (UTC)'];

/** What `osmo token list` printed with cli-table3 (kept as a dev dependency for this comparison). */
function cliTable3(rows: string[][]): string {
  const Table = require('cli-table3') as new (opts: unknown) => { push(row: string[]): void; toString(): string };
  const table = new Table({
    head: HEAD,
    style: { head: [], border: [], compact: true },
    chars: { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

// Cells as `token list` makes them: server text through terminalSafe(), so one line each.
const cell = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })).map(terminalSafe);
const rowsArb = fc.array(fc.tuple(cell, cell, fc.constantFrom('Active', 'Expired'), cell), { maxLength: 6 });

/** The display columns of the `+` signs in a rule line (all ASCII). */
function ruleColumns(rule: string): number[] {
  return [...rule].flatMap((ch, i) => (ch === '+' ? [i] : []));
}

/** The cells of a drawn row, cut at the border columns by display width, without their one-space padding. */
function splitAtColumns(line: string, borders: number[]): string[] {
  const segments = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(line)].map((s) => s.segment);
  const cells: string[] = [];
  let column = 0;
  let current = '';
  for (const segment of segments) {
    if (borders.includes(column)) {
      if (column !== borders[0]) cells.push(current.slice(1, -1));
      current = '';
    } else {
      current += segment;
    }
    column += stringWidth(segment);
  }
  return cells;
}

describe('renderTable', () => {
  it('draws byte for byte what cli-table3 drew, for any cells', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        assert.equal(renderTable(HEAD, rows), cliTable3(rows));
      }),
      { numRuns: 300 },
    );
  });

  it('matches the seed page layout', () => {
    const out = renderTable(HEAD, [['my-token', 'My automation token', 'Active', '2027-01-01'], ['ci-token', 'CI/CD pipeline', 'Active', '2026-12-31']]);
    assert.equal(
      out,
      [
        '+----------+---------------------+--------+------------------+',
        '| Name     | Description         | Active | Expires At (UTC) |',
        '+----------+---------------------+--------+------------------+',
        '| my-token | My automation token | Active | 2027-01-01       |',
        '| ci-token | CI/CD pipeline      | Active | 2026-12-31       |',
        '+----------+---------------------+--------+------------------+',
      ].join('\n'),
    );
  });

  it('fits a width by cutting only the chosen column, with …', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 20, max: 200 }), (rows, width) => {
        const natural = renderTable(HEAD, rows);
        const fitted = renderTable(HEAD, rows, { width, column: 1 });
        const naturalWidth = stringWidth(natural.split('\n')[0]!);
        if (naturalWidth <= width) return assert.equal(fitted, natural);
        const lines = fitted.split('\n');
        // Cells are cut at the columns where the rule has its `+`: a cell may itself hold " | ".
        const cells = (line: string): string[] => splitAtColumns(line, ruleColumns(lines[0]!));
        // Every line is as wide as the border, and the border fits unless the other columns alone do not.
        for (const line of lines) assert.equal(stringWidth(line), stringWidth(lines[0]!));
        const others = naturalWidth - (natural.split('\n')[0]!.split('+')[2]!.length - 2);
        assert.ok(stringWidth(lines[0]!) <= Math.max(width, others + 2));
        // The other columns are whole; a cut description ends with …
        [HEAD, ...rows].forEach((row, i) => {
          const drawn = cells(lines[i < 1 ? 1 : i + 2]!);
          for (const c of [0, 2, 3]) assert.equal(drawn[c]!.trimEnd(), row[c]!.trimEnd());
          if (drawn[1]!.trimEnd() !== row[1]!.trimEnd()) {
            assert.match(drawn[1]!.trimEnd(), /…$/);
            assert.ok(row[1]!.startsWith(drawn[1]!.trimEnd().slice(0, -1)));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('cuts wide characters by the columns they take, never splitting one', () => {
    const rows = [['a', '日本語のトークン説明文', 'Active', '2027-01-01'], ['b', '👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻', 'Active', '2027-01-01']];
    // 50 columns leave the description 11: five wide characters and the ellipsis.
    const lines = renderTable(HEAD, rows, { width: 50, column: 1 }).split('\n');
    for (const line of lines) assert.equal(stringWidth(line), 50, line);
    assert.match(lines[3]!, /^\| a +\| 日本語のト… \| Active \|/);
    assert.match(lines[4]!, /^\| b +\| (👩‍💻){5}… \| Active \|/);
  });

  it('draws 10,000 rows, fitted or not, in well under a second (cli-table3 took 6.8 s)', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`token-${i}`, `the description of token number ${i}, long enough to be cut`, i % 3 ? 'Active' : 'Expired', '2027-01-01']);
    for (const fit of [undefined, { width: 60, column: 1 }]) {
      const started = performance.now();
      const out = renderTable(HEAD, rows, fit);
      const ms = performance.now() - started;
      assert.equal(out.split('\n').length, 10_004);
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    }
  });
});
