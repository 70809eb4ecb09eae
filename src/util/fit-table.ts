import { cutToWidth, displayWidth, renderTable } from './table.js';

// A list that always fits a terminal (`token list`, and `user list`): the
// table as it is when it fits; else its one shrinkable column (Description)
// cut, but not below MIN_COLUMN; else that column dropped; and when even the
// other columns do not fit, one block of `Label: value` lines per row, as
// `osmo status` prints a login.

export interface ListFit {
  /** Columns available: the terminal's width. */
  width: number;
  /** The column cut first and dropped next. */
  column: number;
}

/** Narrowest a cut column gets before it is dropped instead: under this a description says nothing. */
export const MIN_COLUMN = 10;

export function fitList(head: string[], rows: string[][], fit: ListFit): string {
  const widths = columnWidths(head, rows);
  const total = (ws: number[]): number => ws.reduce((sum, w) => sum + w + 3, 1);
  if (total(widths) <= fit.width) return renderTable(head, rows);
  const cutTo = widths[fit.column]! - (total(widths) - fit.width);
  if (cutTo >= MIN_COLUMN) return renderTable(head, rows, { width: fit.width, column: fit.column });
  const without = <T>(list: T[]): T[] => list.filter((_, i) => i !== fit.column);
  if (total(without(widths)) <= fit.width) return renderTable(without(head), rows.map(without));
  return blocks(head, rows, fit);
}

function columnWidths(head: string[], rows: string[][]): number[] {
  return head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
}

/** One `Label: value` block a row, blank lines between; only the shrinkable column is cut to the width; empty values are left out. */
function blocks(head: string[], rows: string[][], fit: ListFit): string {
  const labelWidth = Math.max(...head.map((h) => displayWidth(h))) + 2;
  return rows
    .map((row) =>
      head
        .flatMap((label, i) => {
          let value = row[i]!;
          if (!value) return [];
          const room = fit.width - labelWidth;
          if (i === fit.column && displayWidth(value) > room && room > 1) value = `${cutToWidth(value, room - 1)}…`;
          // A name is never cut: too long beside its label, it goes on a line of its own.
          if (displayWidth(value) > room) return [`${label}:`, `  ${value}`];
          return [`${`${label}:`.padEnd(labelWidth)}${value}`];
        })
        .join('\n'),
    )
    .join('\n\n');
}
