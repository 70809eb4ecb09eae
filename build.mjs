// Bundles the CLI into dist/ so each `osmo` run loads one small entry file;
// commands and heavy dependencies become chunks that load only when used.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  legalComments: 'none',
  // keytar is a native, optional module: resolved at run time, never bundled.
  external: ['keytar'],
  define: { __OSMO_VERSION__: JSON.stringify(pkg.version) },
  // CommonJS dependencies bundled into ESM need a require() for node built-ins.
  banner: { js: "import { createRequire as __osmoCreateRequire } from 'node:module'; const require = __osmoCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
