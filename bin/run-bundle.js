'use strict';
// Runs dist/osmo.cjs through V8's code cache. Every osmo command is a fresh
// process, and most of its own start-up went into V8 compiling the bundle's
// functions as they first ran. A code cache made at the end of a run holds
// all of them, compiled; the next run of the same command deserializes it
// instead of compiling again (measured on Node 24: warm `token list` from
// 1.8x to 1.2x a bare one-request script). Node's own compile cache (22.1+)
// keeps only what a module compiles while it loads, and Node 20 has none.
//
// One cache file per command (`token-list`, `login`, `--help`), since each
// runs different code, made once per build of osmo and Node version, under
// $XDG_CACHE_HOME/osmo (else ~/.cache/osmo). It is never trusted blindly:
// V8 checks its own version, flags and the source length; the file name holds
// the bundle's size, mtime and inode, so a rebuilt or upgraded osmo starts a
// new cache; only a directory of the user's own that nobody else can write is
// used. Anything wrong with it means no cache: slower, never wrong.
// NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) turns it off.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const NOT_BUILT = 'Error: osmo is not built; run `npm install` (or `npm run build`) in its directory\n';
const INCOMPLETE = 'Error: osmo is not completely installed (dist/osmo.cjs is cut short); reinstall it, or run `npm run build` in its directory\n';
/** The last line build.mjs gives the bundle, so that a cut-off file is never run. */
const BUNDLE_END = '// end of the osmo bundle';

function runBundle(file, argv) {
  // Must come before the bundle is compiled: V8 keys its code cache on its
  // flags. Why Node 20 needs it: src/http/undici.ts.
  if (Number(process.versions.v8.split('.')[0]) < 12) require('node:v8').setFlagsFromString('--liftoff-only');
  let source;
  let stat;
  try {
    // One open file for both: a rebuild between a read and a stat by name
    // would file the old code's cache under the new build.
    const fd = fs.openSync(file, 'r');
    try {
      stat = fs.fstatSync(fd);
      source = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    process.stderr.write(NOT_BUILT);
    process.exitCode = 10;
    return;
  }
  if (!source.endsWith(`${BUNDLE_END}\n`)) {
    process.stderr.write(INCOMPLETE);
    process.exitCode = 10;
    return;
  }
  const debug = argv.includes('--debug') || debugFromEnv(process.env);
  const cache = openCache(stat, argv, debug ? (line) => process.stderr.write(`[debug] code cache: ${line}\n`) : () => {});
  const cachedData = cache.read();
  const script = new vm.Script(require('node:module').wrap(source), { filename: file, cachedData });
  if (cachedData) cache.log(script.cachedDataRejected ? 'rejected by V8, replacing it' : 'used');
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(file), bundle, file, path.dirname(file));
  // Registered after the bundle's own 'exit' listener, so it sees the final exit code.
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      // Only a command that worked: a typo must not leave a cache file behind.
      if (!process.exitCode) cache.write(() => script.createCachedData());
    });
  }
}

/** src/debug-env.ts's rule, which this file cannot load (src/ is not shipped); test/debug-env.test.ts compares them. */
function debugFromEnv(env) {
  const value = (env.OSMO_DEBUG || '').trim().toLowerCase();
  return value === '1' || value === 'true';
}

/** The cache file of this command for this build of osmo and this Node. */
function openCache(stat, argv, log) {
  const off = { read: () => undefined, write: () => {}, log };
  if (process.env.NODE_DISABLE_COMPILE_CACHE === '1') {
    log('off (NODE_DISABLE_COMPILE_CACHE=1)');
    return off;
  }
  const xdg = process.env.XDG_CACHE_HOME;
  let base;
  try {
    base = xdg && path.isAbsolute(xdg) ? xdg : path.join(require('node:os').homedir(), '.cache');
  } catch {
    return off;
  }
  const dir = path.join(base, 'osmo', `v8-${process.version}-${process.arch}`);
  const build = `${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}-${stat.ino.toString(36)}`;
  const file = path.join(dir, `${build}-${commandKey(argv)}.bin`);
  return {
    log,
    read() {
      let st;
      try {
        st = fs.lstatSync(file);
      } catch {
        log('none yet');
        return undefined;
      }
      if (!st.isFile() || !ownedByUser(st) || !isPrivate(path.dirname(dir)) || !isPrivate(dir)) {
        log(`not used: ${file} is not a file of yours in a directory only you can write`);
        return undefined;
      }
      try {
        return fs.readFileSync(file);
      } catch {
        return undefined;
      }
    },
    write(make) {
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!isPrivate(path.dirname(dir)) || !isPrivate(dir)) {
          log(`not written: ${dir} is not a directory that only you can write`);
          return;
        }
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, make(), { mode: 0o600 });
        fs.renameSync(tmp, file);
        log(`written to ${file}`);
        // Caches of earlier builds of osmo will never be used again.
        for (const name of fs.readdirSync(dir)) {
          if (!name.startsWith(`${build}-`)) fs.rmSync(path.join(dir, name), { force: true });
        }
      } catch {
        /* read-only or full: no cache, nothing else changes */
      }
    },
  };
}

/**
 * The command a run is for, as the cache file names it: up to two leading
 * words that look like command names (`token-list`), else `osmo`. User input
 * such as URLs and token names never becomes part of a file name.
 */
function commandKey(argv) {
  const words = [];
  for (const arg of argv) {
    if (words.length === 2 || !/^[a-z][a-z-]{0,29}$/.test(arg)) break;
    words.push(arg);
  }
  return words.length ? words.join('-') : 'osmo';
}

function ownedByUser(st) {
  return typeof process.getuid !== 'function' || st.uid === process.getuid();
}

/** A directory of the user's own that group and others cannot write: code read from it runs. */
function isPrivate(dir) {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && ownedByUser(st) && (process.platform === 'win32' || (st.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

module.exports = { runBundle, commandKey, debugFromEnv, BUNDLE_END };
