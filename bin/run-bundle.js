'use strict';
// Runs dist/osmo.cjs through V8's code cache. Every osmo command is a fresh
// process, and most of its own start-up went into V8 compiling the bundle's
// functions as they first ran. A code cache made at the end of a run holds
// all of them, compiled; the next run of the same command deserializes it
// instead of compiling again (measured on Node 24: warm `token list` from
// 1.8x to 1.2x a bare one-request script). Node's own compile cache (22.1+)
// keeps only what a module compiles while it loads, and Node 20 has none.
// The cache is code, and is trusted only as src/startup/code-cache.ts says
// (built into dist/code-cache.cjs).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const NOT_BUILT = 'Error: osmo is not built; run `npm install` (or `npm run build`) in its directory\n';
const INCOMPLETE = 'Error: osmo is not completely installed (dist/osmo.cjs is cut short); reinstall it, or run `npm run build` in its directory\n';
/**
 * Built-in modules the bundle loads in nearly every command (for its output
 * and for undici), loaded on Node 20 before runBundle() sets its V8 flag,
 * while Node's own code cache for them is still accepted: 7–12M instructions
 * fewer for a command without a request (`completion bash`), ~27M (10 %) for a
 * warm `token list`. Loading them costs less than the cache saves even where
 * a command needs only some.
 */
const EARLY_BUILTINS = ['node:stream', 'node:net', 'node:tty', 'node:http', 'node:timers/promises', 'node:diagnostics_channel'];
/** The last line build.mjs gives the bundle, so that a cut-off file is never run. */
const BUNDLE_END = '// end of the osmo bundle';

function runBundle(file, argv) {
  let source;
  let stat;
  try {
    // One open file for both: a rebuild between a read and a stat by name
    // would tag the old code's cache as the new build's.
    const fd = fs.openSync(file, 'r');
    try {
      stat = fs.fstatSync(fd, { bigint: true });
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
  if (debug) withSourceMap(file);
  const log = debug ? (line) => process.stderr.write(`[debug] code cache: ${line}\n`) : () => {};
  const cache = openCache(path.join(path.dirname(file), 'code-cache.cjs'), stat, argv, log);
  // Must come before the bundle is compiled: V8 keys its code cache on its
  // flags. Why Node 20 needs it: src/http/undici.ts. Any V8 flag set at run
  // time also makes V8 refuse Node's own built-in code cache for every
  // built-in module loaded later (~15M instructions on Node 24: so no other
  // flag), so the built-ins nearly every command loads are loaded first.
  if (Number(process.versions.v8.split('.')[0]) < 12) {
    for (const builtin of EARLY_BUILTINS) require(builtin);
    require('node:v8').setFlagsFromString('--liftoff-only');
  }
  const cachedData = cache.read();
  // The column offset undoes the wrapper's on the first line, so that
  // positions (and the source map) match the file.
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData, columnOffset: -Module.wrapper[0].length });
  if (cachedData) cache.log(script.cachedDataRejected ? 'rejected by V8, replacing it' : `used (read and checked in ${cache.checkMs.toFixed(2)} ms)`);
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, path.dirname(file));
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

/** The code cache of this run, or none where dist/code-cache.cjs is missing (a partial copy of osmo). */
function openCache(cacheModule, stat, argv, log) {
  let open;
  try {
    open = require(cacheModule).openCache;
  } catch {
    log(`off (${cacheModule} is missing)`);
    return { enabled: false, log, read: () => undefined, write: () => {}, checkMs: 0 };
  }
  return open(stat, argv, process.env, log);
}

/** Keeps the stand-in module below alive: Node forgets a module's source map with the module. */
const keptAlive = [];

/**
 * With --debug, stack traces name the functions and lines of osmo's source
 * (src/…ts) rather than of the minified bundle, from dist/osmo.cjs.map. Node
 * maps the frames of a file whose module it loaded with a source map; the
 * bundle runs through vm.Script, so a stand-in module with the bundle's file
 * name and nothing but the map's link registers the map for it. Only with
 * --debug: reading the map costs tens of milliseconds, and nothing else pays.
 */
function withSourceMap(file) {
  try {
    process.setSourceMapsEnabled(true);
    const stand = new Module(file);
    stand.filename = file;
    stand._compile(`//# sourceMappingURL=${path.basename(file)}.map\n`, file);
    keptAlive.push(stand);
  } catch {
    /* no map: minified names, as without --debug */
  }
}

module.exports = { runBundle, debugFromEnv, BUNDLE_END };
