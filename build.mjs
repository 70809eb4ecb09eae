// Bundles the CLI into one CommonJS file, dist/osmo.cjs, which bin/osmo loads
// through V8's code cache (bin/run-bundle.js). One file because the code cache
// then holds every function a command ran, compiled: with ES module chunks,
// Node 20 has no cache at all and Node 22+ caches only what each chunk
// compiled while loading, not the functions compiled later as they run.
// Modules still run only when a command first imports them.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const out = new URL('./dist', import.meta.url);
// Build beside dist/ and swap it in, so a running osmo never sees half a build.
const staging = new URL(`./.dist-${process.pid}`, import.meta.url);
const old = new URL(`./.dist-old-${process.pid}`, import.meta.url);

/**
 * undici requires node:http2 when it loads, for HTTP/2 connections osmo
 * never asks for (undici's allowH2 stays off); node:http2 loads tls and
 * crypto with it, about 12 ms of every start on Node 20. Its copy gets the
 * constants it reads when it loads and a connect() that loads node:http2
 * only if one is ever made. test/http2-shim.test.ts checks the constants.
 */
const lazyHttp2 = {
  name: 'lazy-http2',
  setup(b) {
    b.onResolve({ filter: /^node:http2$/ }, (args) => (/[\\/]undici[\\/]/.test(args.importer) ? { path: new URL('./src/http/http2-shim.cjs', import.meta.url).pathname } : undefined));
  },
};

/**
 * dist/help.json: every command's --help page (src/help-pages.ts), which
 * bin/osmo prints without loading the bundle. The pages come from the
 * command tree itself, bundled on its own for this and then thrown away.
 */
async function writeHelpPages() {
  const pagesBundle = join(staging.pathname, 'help-pages.cjs');
  await build({ entryPoints: ['src/help-pages.ts'], outfile: pagesBundle, bundle: true, format: 'cjs', platform: 'node', target: 'node20', external: ['keytar'], plugins: [lazyHttp2], define: { __OSMO_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__osmoModuleUrl' }, banner: { js: "var __osmoModuleUrl = require('node:url').pathToFileURL(__filename).href;" }, logLevel: 'warning' });
  try {
    const { helpPages } = createRequire(import.meta.url)(pagesBundle);
    writeFileSync(join(staging.pathname, 'help.json'), `${JSON.stringify(helpPages())}\n`);
  } finally {
    rmSync(pagesBundle, { force: true });
  }
}

try {
  await build({
    entryPoints: { osmo: 'src/cli.ts' },
    outdir: staging.pathname,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Less to parse and cache; stack traces are shown only with --debug.
    minify: true,
    keepNames: false,
    legalComments: 'none',
    // keytar is a native, optional module: resolved at run time, never bundled.
    external: ['keytar'],
    plugins: [lazyHttp2],
    define: { __OSMO_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__osmoModuleUrl' },
    // ES modules bundled into CommonJS that ask for their own URL get the bundle's.
    banner: { js: "var __osmoModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  await writeHelpPages();
  try {
    renameSync(out, old);
  } catch {
    /* no previous build */
  }
  renameSync(staging, out);
} finally {
  rmSync(staging, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
