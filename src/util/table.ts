import stringWidth from 'string-width';

// A bordered text table in the layout cli-table3 draws with `compact: true`
// (the seed page's `token list`), drawn here in one pass: cli-table3 lays out
// every cell by scanning all rows above it for row spans, so its time grows
// with the square of the row count (10,000 rows took 7 s, 40,000 took 85 s).
// Widths are measured by string-width, as cli-table3 measures them, so the
// output is the same byte for byte.

export interface TableFit {
  /** Columns available, e.g. the terminal's width. */
  width: number;
  /** The one column that may be cut (with `…`) to fit; all others keep their width. */
  column: number;
}

/** Narrowest a cut column gets: one character and the ellipsis, inside its padding. */
const MIN_CUT_WIDTH = 2;
const ELLIPSIS = '…';
const ELLIPSIS_WIDTH = 1;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Columns a string takes: string-width's answer, short-cut for plain ASCII (one column per character), which is nearly every cell. */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** Cells must be single lines (see terminalSafe() for text from a server). */
export function renderTable(head: string[], rows: string[][], fit?: TableFit): string {
  const widths = head.map(displayWidth);
  const cellWidths = rows.map((row) =>
    row.map((cell, i) => {
      const width = displayWidth(cell);
      if (width > widths[i]!) widths[i] = width;
      return width;
    }),
  );
  if (fit) {
    // Each column takes its width plus two spaces and one border, plus the final border.
    const total = widths.reduce((sum, w) => sum + w + 3, 1);
    const over = total - fit.width;
    if (over > 0) widths[fit.column] = Math.max(MIN_CUT_WIDTH, widths[fit.column]! - over);
  }
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[], measured: number[]): string =>
    `| ${cells.map((cell, i) => fitCell(cell, measured[i]!, widths[i]!)).join(' | ')} |`;
  const out = [rule, line(head, head.map(displayWidth)), rule];
  rows.forEach((row, r) => out.push(line(row, cellWidths[r]!)));
  if (rows.length > 0) out.push(rule);
  return out.join('\n');
}

function fitCell(cell: string, width: number, target: number): string {
  if (width <= target) return cell + ' '.repeat(target - width);
  const cut = cutToWidth(cell, target - ELLIPSIS_WIDTH);
  return cut + ELLIPSIS + ' '.repeat(Math.max(0, target - displayWidth(cut) - ELLIPSIS_WIDTH));
}

let graphemes: Intl.Segmenter | undefined;

/** The longest start of `text` at most `width` columns wide, never splitting a character a user sees as one. */
export function cutToWidth(text: string, width: number): string {
  if (PRINTABLE_ASCII.test(text)) return text.slice(0, width);
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    out += segment;
    used += w;
  }
  return out;
}
