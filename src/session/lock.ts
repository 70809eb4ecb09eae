import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { UsageError } from '../errors.js';
import { LOCK_FILE } from '../config/paths.js';
import { checkConfigDir } from '../config/permissions.js';
import { ensurePrivateDir } from '../util/atomic-write.js';

import type { Lock } from './lock-type.js';

export type { Lock } from './lock-type.js';

/** A holder that stopped refreshing the lock's mtime this long ago is gone (proper-lockfile's rule). */
const STALE_MS = 5_000;
/** Who holds the lock: "PID HOST", inside the lock directory. */
const OWNER_FILE = 'owner';

/**
 * How long to wait for another process's renewal: one HTTP request, bounded
 * as a whole (retries included) by OSMO_HTTP_TIMEOUT, plus a few keychain
 * calls of at most 3 s each and the writes. A slow but healthy renewal must
 * never make the parallel commands behind it fail.
 */
export function lockWaitMs(httpTimeoutMs: number): number {
  return httpTimeoutMs + 15_000;
}

// proper-lockfile removes its lock with a plain rmdir; ours holds the owner
// file, and a lock left in another shape (a file, a non-empty directory) must
// go too.
const lockFs = {
  ...fs,
  rmdir: (path: string, cb: (err: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: true }, cb),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};

/**
 * proper-lockfile's mkdir-based lock: atomic on every file system, refreshed
 * while held, released on exit. On top of it, a lock that no live osmo
 * process holds is taken over at once whatever its shape: its recorded owner
 * has died, or it is not what osmo makes (a file, a directory with other
 * content, an mtime in the future). A lock without a known owner falls back
 * to proper-lockfile's rule: stale when its mtime stops moving.
 */
export function configDirLock(dir: string, httpTimeoutMs: number): Lock {
  return async (fn) => {
    ensurePrivateDir(dir);
    checkConfigDir(dir);
    const release = await acquire(dir, join(dir, LOCK_FILE), lockWaitMs(httpTimeoutMs));
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  };
}

async function acquire(dir: string, path: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 1.5, 100)) {
    try {
      const release = await lockfile.lock(dir, {
        lockfilePath: path,
        realpath: false,
        stale: STALE_MS,
        retries: 0,
        fs: lockFs,
        // The holder keeps going even if another process took over a stale lock:
        // every write is atomic, so the worst case is one extra exchange.
        onCompromised: () => {},
      });
      recordOwner(path);
      return release;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') {
        throw new UsageError(`cannot take the lock ${path} (${code ?? 'error'})`, `check that you can write ${dir}; if no osmo process is running, delete ${path}`);
      }
    }
    if (abandoned(path)) {
      fs.rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const owner = readOwner(path);
      const holder = owner ? `osmo process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}` : 'another osmo process';
      throw new UsageError(`${holder} has held ${path} for more than ${Math.round(waitMs / 1000)} s`, `if no osmo process is running, delete it: rm -r ${path}`);
    }
    await sleep(delay);
  }
}

// Written inside the lock directory, then the directory's mtime is put back:
// proper-lockfile takes a changed mtime for a lock stolen from under it.
function recordOwner(path: string): void {
  try {
    const { atime, mtime } = fs.statSync(path);
    fs.writeFileSync(join(path, OWNER_FILE), `${process.pid} ${hostname()}\n`);
    fs.utimesSync(path, atime, mtime);
  } catch {
    /* without an owner record, others fall back to the mtime rule */
  }
}

function readOwner(path: string): { pid: number; host: string } | undefined {
  try {
    const [pid, host] = fs.readFileSync(join(path, OWNER_FILE), 'utf8').trim().split(' ');
    return Number.isInteger(Number(pid)) && Number(pid) > 0 && host ? { pid: Number(pid), host } : undefined;
  } catch {
    return undefined;
  }
}

/** True when no live osmo process can be holding the lock at `path`. */
function abandoned(path: string): boolean {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
    if (!st.isDirectory()) return true;
    if (fs.readdirSync(path).some((name) => name !== OWNER_FILE)) return true;
  } catch {
    return false; // gone meanwhile: the next attempt takes it
  }
  const owner = readOwner(path);
  if (owner && owner.host === hostname()) return !isAlive(owner.pid);
  // proper-lockfile sets the mtime to now, rounded up to the next second, and keeps it there.
  return st.mtimeMs > Date.now() + STALE_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
