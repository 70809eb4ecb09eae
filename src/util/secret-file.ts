import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { UsageError } from '../errors.js';

/** `~/x` as written in docs (`--token-file=~/.osmo-token`) is not expanded by every shell. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

export interface SecretFile {
  value: string;
  /** Set when group or others may read the file. */
  looseMode?: string;
}

/** Reads a token or password file: surrounding white space and newlines are not part of it. */
export function readSecretFile(path: string, flag: string, what: string): SecretFile {
  const full = expandHome(path);
  let text: string;
  let mode: number;
  try {
    mode = statSync(full).mode;
    text = readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code;
    throw new UsageError(`cannot read ${flag} ${path}: ${why}`, `check the path and that you can read it`);
  }
  const value = text.trim();
  if (!value) throw new UsageError(`${flag} ${path} is empty`, `put the ${what} in the file, or pass it on standard input`);
  const looseMode = process.platform !== 'win32' && (mode & 0o077) !== 0 ? (mode & 0o777).toString(8) : undefined;
  return { value, looseMode };
}
