import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { UsageError } from '../errors.js';
import { LOCK_FILE } from './paths.js';
import { checkConfigDir } from './permissions.js';
import { guardStateWrites } from './state.js';
import { ensurePrivateDir, sweepLeftovers } from '../util/atomic-write.js';

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

// proper-lockfile removes a lock with a plain rmdir, which fails on ours: it
// holds the owner file. proper-lockfile only ever removes the lock it made
// (release, exit, a failed mtime probe), but that lock may have been taken
// over meanwhile (by a process on another machine sharing the directory): so
// it is removed only while its owner file still names this process.
const lockFs = {
  ...fs,
  rmdir: (path: string, cb: (err: NodeJS.ErrnoException | null) => void) => {
    if (!ownedByUs(path)) return cb(null);
    fs.rm(path, { recursive: true, force: true }, cb);
  },
  rmdirSync: (path: string) => {
    if (ownedByUs(path)) fs.rmSync(path, { recursive: true, force: true });
  },
};

/** This process, as its owner files name it: "PID HOST START" (START: when it started, where the system tells). */
let selfToken: string | undefined;
function ownToken(): string {
  if (selfToken === undefined) {
    const start = startTimeOf(process.pid);
    selfToken = `${process.pid} ${hostname()}${start === undefined ? '' : ` ${start}`}`;
  }
  return selfToken;
}

function ownedByUs(path: string): boolean {
  try {
    return fs.readFileSync(join(path, OWNER_FILE), 'utf8').trim() === ownToken();
  } catch (err) {
    // No owner file (not written yet, or gone): the lock is ours as proper-lockfile knows it.
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** A holder that finds, before a write, that its lock is no longer its own. */
class LockLost extends Error {}

/**
 * proper-lockfile's mkdir-based lock: atomic on every file system, refreshed
 * while held, released on exit. On top of it, a lock that no live osmo
 * process holds is taken over at once whatever its shape: its recorded owner
 * has died, or it is not what osmo makes (a file, a directory with other
 * content, an mtime in the future), or its mtime stopped moving
 * (proper-lockfile's rule for a lock without a known owner).
 */
export function configDirLock(dir: string, httpTimeoutMs: number): Lock {
  return async (fn) => {
    ensurePrivateDir(dir);
    checkConfigDir(dir);
    const path = join(dir, LOCK_FILE);
    for (let attempt = 1; ; attempt++) {
      const release = await acquire(dir, path, lockWaitMs(httpTimeoutMs));
      // config.json is written only while this lock is still ours; otherwise
      // fn runs again under the lock taken anew, and so reads what the other
      // holder wrote meanwhile instead of writing over it.
      guardStateWrites(() => {
        if (!ownedByUs(path) || !fs.existsSync(path)) throw new LockLost(`lost the lock ${path}`);
      });
      try {
        // Every write to the config directory, and logout, happens under this
        // lock, so this one sweep removes what a killed write left (a temporary
        // file may hold a secret) before the next write.
        sweepLeftovers(dir);
        return await fn();
      } catch (err) {
        if (!(err instanceof LockLost) || attempt === 3) throw err;
      } finally {
        guardStateWrites(undefined);
        await release().catch(() => {});
      }
    }
  };
}

/**
 * The lock of one server's renewal (SPEC §4: one per server), so that a slow
 * service delays only the commands for it. It guards no file: the writes
 * after a renewal take configDirLock() for a moment.
 */
export function serverLock(dir: string, url: string, httpTimeoutMs: number): Lock {
  return async (fn) => {
    ensurePrivateDir(dir);
    checkConfigDir(dir);
    const release = await acquire(dir, join(dir, serverLockName(url)), lockWaitMs(httpTimeoutMs));
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  };
}

/** `state-<hash>.lock`: a short name whatever the URL (FNV-1a, 2 × 32 bits; a clash only shares a lock). */
export function serverLockName(url: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < url.length; i++) {
    a = Math.imul(a ^ url.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ url.charCodeAt(i), 0x811c9dc5) >>> 0;
  }
  return `state-${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}.lock`;
}

async function acquire(dir: string, path: string, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 1.5, 100)) {
    try {
      // Keyed by `path`: proper-lockfile keeps one entry per key, and a renewal holds two locks (its server's, then the directory's).
      const release = await lockfile.lock(path, {
        lockfilePath: path,
        realpath: false,
        // Its own stale-lock removal would race like the one takeOver() prevents.
        stale: Infinity,
        update: STALE_MS / 2,
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
    if (abandoned(path) && takeOver(path)) continue;
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
    fs.writeFileSync(join(path, OWNER_FILE), `${ownToken()}\n`);
    fs.utimesSync(path, atime, mtime);
  } catch {
    /* without an owner record, others fall back to the mtime rule */
  }
}

function readOwner(path: string): { pid: number; host: string; start?: string } | undefined {
  try {
    const [pid, host, start] = fs.readFileSync(join(path, OWNER_FILE), 'utf8').trim().split(' ');
    return Number.isInteger(Number(pid)) && Number(pid) > 0 && host ? { pid: Number(pid), host, start } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the abandoned lock at `path`, unless another waiter is doing so;
 * true when the caller may try to take the lock again at once.
 *
 * Deciding and removing must be one step. Two waiters that both found the
 * same dead lock would otherwise both remove "it": the second would delete the
 * fresh lock the first had made meanwhile, and both would hold it. So a lock
 * is removed only by the holder of a second lock beside it, the guard (mkdir
 * is atomic: one waiter gets it), after looking again: by then another
 * takeover may have replaced the dead lock with a live one. The guard is held
 * only for a few synchronous calls, so one older than STALE_MS was left by a
 * process killed during them, and is removed. (Two waiters removing such a
 * leftover guard at the same moment could still both take over; that needs a
 * kill in those microseconds first.)
 */
function takeOver(path: string): boolean {
  const guard = `${path}.takeover`;
  try {
    fs.mkdirSync(guard, { mode: 0o700 });
  } catch {
    if (leftBehind(guard)) fs.rmSync(guard, { recursive: true, force: true });
    return false;
  }
  try {
    if (abandoned(path)) fs.rmSync(path, { recursive: true, force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
  return true;
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
  // The owner's liveness first, then the mtime: a holder that is alive on this
  // machine keeps its lock however long it has not moved it (Ctrl-Z, a paused VM).
  const owner = readOwner(path);
  if (owner !== undefined && owner.host === hostname()) {
    if (!isAlive(owner.pid)) return true;
    // The same process, not another that got its pid since: then it holds the lock whatever the mtime.
    const start = startTimeOf(owner.pid);
    if (owner.start !== undefined && start !== undefined) return owner.start !== start;
  }
  return !fresh(st);
}

/** When a process started (clock ticks since boot, from /proc on Linux); undefined where the system does not say. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A guard is held for a few synchronous calls: one that is not a fresh directory was left behind. */
function leftBehind(guard: string): boolean {
  try {
    const st = fs.lstatSync(guard);
    return !st.isDirectory() || !fresh(st);
  } catch {
    return false; // gone meanwhile
  }
}

/** proper-lockfile sets a held lock's mtime to now, rounded up to the next second, and moves it on every STALE_MS / 2. */
function fresh(st: fs.Stats): boolean {
  return Math.abs(st.mtimeMs - Date.now()) <= STALE_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
