import { terminalSafe } from './display-text.js';

// Commands printed for the user to run (e.g. the one that recreates a token
// after a failed rotation) must survive copy and paste into a POSIX shell
// exactly, whatever text the server stored.

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One shell word: as it is when plain, else in single quotes. Text with
 * control or bidi characters (a description from a server may hold a line
 * break) uses POSIX $'…' quoting with those characters as octal bytes
 * (\ooo: three digits, so a digit after one cannot join it), so
 * the printed line stays one harmless line and still means the same text.
 */
export function shellWord(value: string): string {
  if (PLAIN.test(value)) return value;
  if (terminalSafe(value) === value) return `'${value.replaceAll("'", "'\\''")}'`;
  let out = '';
  for (const ch of value) {
    if (terminalSafe(ch) !== ch) out += [...Buffer.from(ch, 'utf8')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    else out += ch === '\\' || ch === "'" ? `\\${ch}` : ch;
  }
  return `$'${out}'`;
}

export function shellCommand(words: string[]): string {
  return words.map(shellWord).join(' ');
}
