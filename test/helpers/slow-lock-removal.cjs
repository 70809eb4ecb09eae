'use strict';
// Preloaded into osmo (NODE_OPTIONS=--require) by a lock test: every removal
// of state.lock first waits OSMO_TEST_SLOW_LOCK_REMOVAL_MS, which widens the
// gap between a waiter deciding the lock is abandoned and removing it. A
// takeover that is not serialised then lets a second waiter delete the fresh
// lock of the first on every run, instead of once in a thousand.
const fs = require('node:fs');

const ms = Number(process.env.OSMO_TEST_SLOW_LOCK_REMOVAL_MS);
const isLock = (path) => String(path).endsWith('state.lock');

const { rm, rmSync } = fs;
fs.rmSync = function slowRmSync(path, ...rest) {
  if (isLock(path)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return rmSync.call(this, path, ...rest);
};
fs.rm = function slowRm(path, ...rest) {
  if (!isLock(path)) return rm.call(this, path, ...rest);
  setTimeout(() => rm.call(this, path, ...rest), ms);
};
