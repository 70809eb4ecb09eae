import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { expandHome } from './secret-file.js';

// --output-file of `token set` and `token rotate`: the new PAT goes straight
// into a file, never through the terminal or a pipe.

export interface OutputFile {
  /** As the user gave it, for messages. */
  given: string;
  /** Where it is written. */
  path: string;
}

/**
 * Checked before any request, so that no token is created whose secret then
 * has nowhere to go: the directory must exist and be writable, and the file
 * must not be a directory. An existing file is fine: it is replaced.
 */
export function checkOutputFile(given: string): OutputFile {
  const path = resolve(expandHome(given));
  const dir = dirname(path);
  if (isDirectory(path)) throw new UsageError(`--output-file ${given} is a directory`, 'give a file name, for example --output-file ~/.osmo-token');
  try {
    if (!isDirectory(dir)) throw Object.assign(new Error('not a directory'), { code: 'ENOENT' });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such directory ${dir}` : code === 'EACCES' || code === 'EPERM' ? `cannot write in ${dir}` : code;
    throw new UsageError(`cannot write --output-file ${given}: ${why}`, 'create the directory first, or pick another path');
  }
  return { given, path };
}

/**
 * Exactly the PAT and a newline, mode 0600, through a temporary file and a
 * rename: a pipeline reading the file sees the old token or the new one, and
 * `osmo login --token-file FILE` reads it as it is.
 */
export function writeTokenFile(file: OutputFile, pat: string, ifLost: string): void {
  try {
    writeFileAtomic(file.path, `${pat}\n`, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`the new token could not be written to ${file.given} (${code}), and its secret is lost`, ifLost);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
