import lockfile from 'proper-lockfile';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { LOCK_FILE } from '../config/paths.js';
import { ensurePrivateDir } from '../util/atomic-write.js';

import type { Lock } from './lock-type.js';

export type { Lock } from './lock-type.js';

/**
 * proper-lockfile's mkdir-based lock: atomic on every file system, refreshed
 * while held, and taken over when stale (its holder crashed), so a killed
 * process never blocks the next one for more than the stale period.
 */
export function configDirLock(dir: string): Lock {
  return async (fn) => {
    ensurePrivateDir(dir);
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: join(dir, LOCK_FILE),
        realpath: false,
        stale: 5_000,
        retries: { retries: 400, factor: 1.1, minTimeout: 10, maxTimeout: 100 },
        // The holder keeps going even if another process took over a stale lock:
        // every write is atomic, so the worst case is one extra exchange.
        onCompromised: () => {},
      });
    } catch (err) {
      throw new UsageError(`another osmo process holds ${join(dir, LOCK_FILE)} (${(err as NodeJS.ErrnoException).code ?? 'lock error'})`, 'try again; delete the lock directory if no osmo process is running');
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  };
}
