// Bundles the CLI into dist/ so each `osmo` run loads one small entry file;
// commands and heavy dependencies become chunks that load only when used.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const out = new URL('./dist', import.meta.url);
// Build beside dist/ and swap it in, so a running osmo never sees half a build.
const staging = new URL(`./.dist-${process.pid}`, import.meta.url);
const old = new URL(`./.dist-old-${process.pid}`, import.meta.url);

try {
  await build({
    entryPoints: ['src/cli.ts'],
    outdir: staging.pathname,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Less to parse at every start; stack traces are shown only with --debug.
    minify: true,
    keepNames: false,
    legalComments: 'none',
    // keytar is a native, optional module: resolved at run time, never bundled.
    external: ['keytar'],
    define: { __OSMO_VERSION__: JSON.stringify(pkg.version) },
    // CommonJS dependencies bundled into ESM need a require() for node built-ins.
    banner: { js: "import { createRequire as __osmoCreateRequire } from 'node:module'; const require = __osmoCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
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
