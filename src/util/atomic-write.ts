import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The temporary files writeFileAtomic makes: `.` + 12 hex digits + `.tmp`. */
const TEMP_NAME = /^\.[0-9a-f]{12}\.tmp$/;

/**
 * Longer than any write of a few kilobytes takes, fsync included, so a
 * temporary file this old belongs to no write in progress: its writer was
 * killed between writing and renaming (every writer holds the config-dir lock
 * anyway; this is the margin for one that does not).
 */
const LEFTOVER_AGE_MS = 10_000;

/** Creates the config directory private to the user (0700). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Replaces `path` so that a crash at any moment leaves either the old or the
 * new content: write a temporary file beside it, fsync, then rename over.
 */
export function writeFileAtomic(path: string, data: string, mode: number): void {
  const dir = dirname(path);
  ensurePrivateDir(dir);
  const { tmp, fd } = openTemporary(dir, mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dir);
}

/**
 * A new file beside the target, named as sweepLeftovers() expects: `.` and 12
 * hex digits. It is created exclusively ('wx': never an existing file, never
 * through a symlink), so its name must be unique rather than secret:
 * Math.random, with a retry on a clash, spares every command loading
 * node:crypto.
 */
function openTemporary(dir: string, mode: number): { tmp: string; fd: number } {
  for (let attempt = 1; ; attempt++) {
    const tmp = join(dir, `.${Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, '0')}.tmp`);
    try {
      return { tmp, fd: openSync(tmp, 'wx', mode) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt === 5) throw err;
    }
  }
}

// Persist the rename itself; not every platform lets a directory be fsynced.
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/**
 * Removes what killed writes left in `dir`: our own temporary files, which
 * may hold a PAT or refresh token. Best effort: a file that cannot be removed
 * is left for the next sweep rather than failing the command. `isLeftover`
 * says which names are temporary files (by default this module's own).
 */
export function sweepLeftovers(dir: string, nowMs = Date.now(), isLeftover: (name: string) => boolean = (name) => TEMP_NAME.test(name)): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    if (!isLeftover(name)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (st.isFile() && (uid === undefined || st.uid === uid) && nowMs - st.mtimeMs > LEFTOVER_AGE_MS) rmSync(path, { force: true });
    } catch {
      /* gone meanwhile, or not ours to remove */
    }
  }
}
