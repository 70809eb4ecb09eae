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
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// File paths, not URL pathnames: those keep a space in the checkout's path as %20.
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('./dist');
// Build beside dist/ and swap it in, so a running osmo never sees half a build.
const staging = here(`./.dist-${process.pid}`);
const old = here(`./.dist-old-${process.pid}`);
const { BUNDLE_END } = createRequire(import.meta.url)('./bin/run-bundle.js');

/**
 * Built-in modules that a bundled library requires as it loads but osmo
 * never uses, each replaced for that library by a stand-in that loads the
 * real module on first use (src/lazy-builtins/; test/lazy-builtins.test.ts
 * checks them against the libraries and the real modules).
 */
const LAZY_BUILTINS = [
  { builtin: 'node:http2', importer: /[\\/]node_modules[\\/]undici[\\/]/, standIn: './src/lazy-builtins/http2.cjs' },
  { builtin: 'node:child_process', importer: /[\\/]node_modules[\\/]commander[\\/]/, standIn: './src/lazy-builtins/child-process.cjs' },
  { builtin: 'node:assert', importer: /[\\/]node_modules[\\/]undici[\\/]/, standIn: './src/lazy-builtins/assert.cjs' },
];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:(http2|child_process|assert)$/ }, (args) => {
      const entry = LAZY_BUILTINS.find((e) => e.builtin === args.path && e.importer.test(args.importer));
      return entry ? { path: here(entry.standIn) } : undefined;
    });
  },
};

/** What both bundles below share: one CommonJS file for Node 20 and later. */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  plugins: [lazyBuiltins],
  define: { __OSMO_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__osmoModuleUrl' },
  // ES modules bundled into CommonJS that ask for their own URL get the bundle's.
  banner: { js: "var __osmoModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

/**
 * dist/help.json: every command's --help page (src/help-pages.ts), which
 * bin/osmo prints without loading the bundle. The pages come from the
 * command tree itself, bundled on its own for this and then thrown away.
 */
async function writeHelpPages() {
  const pagesBundle = join(staging, 'help-pages.cjs');
  await build({ ...common, entryPoints: ['src/help-pages.ts'], outfile: pagesBundle });
  try {
    const { helpPages } = createRequire(import.meta.url)(pagesBundle);
    writeFileSync(join(staging, 'help.json'), `${JSON.stringify(helpPages())}\n`);
  } finally {
    rmSync(pagesBundle, { force: true });
  }
}

try {
  await build({
    ...common,
    entryPoints: { osmo: 'src/cli.ts' },
    outdir: staging,
    outExtension: { '.js': '.cjs' },
    // Less to parse and cache. Stack traces are shown only with --debug, which
    // maps them back to src/ through dist/osmo.cjs.map (bin/run-bundle.js);
    // the bundle does not link to the map, so no other run reads it.
    minify: true,
    keepNames: false,
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    // bin/run-bundle.js refuses a bundle without this last line: an empty or
    // cut-off file (a full disk, an interrupted copy) would otherwise run as
    // nothing and exit 0, or fail with a stack trace.
    footer: { js: BUNDLE_END },
  });
  await writeHelpPages();
  // What bin/run-bundle.js needs before the bundle runs: small, and kept out
  // of the bundle, whose code cache it is there to check.
  await build({ ...common, entryPoints: { 'code-cache': 'src/startup/code-cache.ts' }, outdir: staging, outExtension: { '.js': '.cjs' }, minify: true, banner: {} });
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
