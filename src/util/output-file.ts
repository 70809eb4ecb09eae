import { closeSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { expandHome } from './secret-file.js';
import { sweepLeftovers } from './atomic-write.js';

// --output-file of `token set` and `token rotate`: the new PAT goes straight
// into a file, never through the terminal or a pipe.

export interface OutputFile {
  /** As the user gave it, for messages. */
  given: string;
  /** Where it is written. */
  path: string;
  /** The temporary file beside it, made before any request; renamed over `path` once it holds the PAT. */
  tmp: string;
  fd: number;
}

/**
 * Checked, and its temporary file made, before any request, so that no token
 * is created (or deleted, by a rotation) whose secret then has nowhere to go:
 * the directory must take a new file, and an existing file must be one this
 * user may replace. The temporary file is named after the target
 * (`.NAME.osmo-<hex>.tmp`), so that leftovers of a killed write are found and
 * removed here, next time, without touching anyone else's files.
 */
export function checkOutputFile(given: string): OutputFile {
  const path = resolve(expandHome(given));
  const dir = dirname(path);
  if (isDirectory(path)) throw new UsageError(`--output-file ${given} is a directory`, 'give a file name, for example --output-file ~/.osmo-token');
  const fail = (why: string, hint = 'pick another path'): never => {
    throw new UsageError(`cannot write --output-file ${given}: ${why}`, hint);
  };
  if (!isDirectory(dir)) fail(`no such directory ${dir}`, 'create the directory first, or pick another path');
  const owner = replaceBlocker(path, dir);
  if (owner) fail(owner);
  sweepOwnLeftovers(dir, basename(path));
  for (let attempt = 1; ; attempt++) {
    const tmp = join(dir, `.${basename(path)}.osmo-${Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, '0')}.tmp`);
    try {
      return { given, path, tmp, fd: openSync(tmp, 'wx', 0o600) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && attempt < 5) continue;
      return fail(code === 'EACCES' || code === 'EPERM' ? `cannot write in ${dir}` : `${code ?? 'error'} in ${dir}`, 'pick another path');
    }
  }
}

/**
 * Exactly the PAT and a newline, mode 0600, through the temporary file and a
 * rename: a pipeline reading the file sees the old token or the new one, and
 * `osmo login --token-file FILE` reads it as it is.
 */
export function writeTokenFile(file: OutputFile, pat: string, ifLost: string): void {
  try {
    writeSync(file.fd, `${pat}\n`);
    fsyncSync(file.fd);
    closeSync(file.fd);
    file.fd = -1;
    renameSync(file.tmp, file.path);
  } catch (err) {
    discardOutputFile(file);
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`the new token could not be written to ${file.given} (${code}), and its secret is lost`, ifLost);
  }
}

/** Removes the temporary file when the command ends without writing it (an error, Ctrl-C). */
export function discardOutputFile(file: OutputFile): void {
  if (file.fd >= 0) {
    try {
      closeSync(file.fd);
    } catch {
      /* already closed */
    }
    file.fd = -1;
  }
  try {
    rmSync(file.tmp, { force: true });
  } catch {
    /* its directory went away: so did the file */
  }
}

/**
 * Why rename() would refuse to replace `path`, checked now rather than after
 * the token exists: in a sticky directory (/tmp) only the file's or the
 * directory's owner (or root) may replace a file, e.g. another user's.
 */
function replaceBlocker(path: string, dir: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return undefined;
  let target: ReturnType<typeof lstatSync>;
  try {
    target = lstatSync(path);
  } catch {
    return undefined; // nothing to replace
  }
  const parent = statSync(dir);
  if ((parent.mode & 0o1000) !== 0 && target.uid !== uid && parent.uid !== uid) return `${path} belongs to another user, in a directory where only its owner may replace it`;
  return undefined;
}

/** Temporary files of earlier writes to this same target, by this user, that a kill left behind. */
function sweepOwnLeftovers(dir: string, name: string): void {
  const prefix = `.${name}.osmo-`;
  sweepLeftovers(dir, Date.now(), (entry) => entry.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(entry.slice(prefix.length)));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
