import { Option } from 'commander';
import { onInterrupt } from './interrupt.js';
import { println, type IO } from './io.js';
import { datePart } from './util/dates.js';
import { safeJson, terminalSafe } from './util/display-text.js';
import type { OutputFile } from './util/output-file.js';

export type FormatType = 'text' | 'json';

/** -t/--format-type, the Python client's flag for output format. */
export function formatTypeOption(): Option {
  return new Option('-t, --format-type <type>', 'output format').choices(['text', 'json']).default('text');
}

/** Strings in it came from a server: C1 controls and bidi overrides are escaped, the JSON value is unchanged. */
export function printJson(io: IO, value: unknown): void {
  println(io.stdout, safeJson(value, 2));
}

/** One role as the official client lists a token's or a user's: `  - ROLE (assigned by WHO on DATE)`. */
export function assignedRoleLine(role: { role_name: string; assigned_by: string; assigned_at: string }): string {
  return `  - ${terminalSafe(role.role_name)} (assigned by ${terminalSafe(role.assigned_by)} on ${terminalSafe(datePart(role.assigned_at))})`;
}

/** For repeatable flags (-r a -r b): commander calls this once per occurrence. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The terminal's width when stdout is one; undefined when piped or redirected. */
export function stdoutColumns(io: IO): number | undefined {
  const out = io.stdout as { isTTY?: boolean; columns?: number };
  return out.isTTY && out.columns ? out.columns : undefined;
}

export const SAVE_TOKEN_NOTE = 'Note: Save the token in a secure location as it will not be shown again';

/**
 * Shows where a new PAT went, as `token set` does: the note on stderr and the
 * token on stdout (a terminal shows both, as on the seed page), or, when it
 * was written to --output-file, only that.
 */
export function printNewToken(io: IO, pat: string, outputFile: string | undefined): void {
  if (outputFile !== undefined) return println(io.stdout, `Access token written to ${terminalSafe(outputFile)}`);
  println(io.stderr, SAVE_TOKEN_NOTE);
  println(io.stdout, `Access token: ${terminalSafe(pat)}`);
}

/**
 * --output-file, checked and its temporary file made before any request; its
 * module loads only when the flag is given. The temporary file goes away with
 * the command if it never received the token (an error, Ctrl-C).
 */
export async function checkedOutputFile(given: string | undefined): Promise<OutputFile | undefined> {
  if (given === undefined) return undefined;
  const { checkOutputFile, discardOutputFile } = await import('./util/output-file.js');
  const file = checkOutputFile(given);
  const discard = (): void => discardOutputFile(file);
  onInterrupt(discard);
  process.once('exit', discard);
  return file;
}
