// Bundles each test file (test/*.test.ts) with esbuild into plain JavaScript
// under .test-build/, which `npm run test:only` runs. node:test
// starts a process per file: through the tsx loader each spent about a second
// of CPU compiling and resolving its TypeScript modules one by one (src/ too,
// for the in-process tests), a third of the suite's time on a 2-core machine.
// A bundle loads in tens of milliseconds. The libraries are bundled too, as
// dist/osmo.cjs bundles them: loaded from node_modules as ES modules, date-fns
// alone is hundreds of files, and Node 22+ looks up each one's package scope
// (2 s of CPU per test file on Node 24). What several test files use is
// written once, as shared chunks (splitting): 6 MB and 2 s to build, where a
// whole bundle per file came to 120 MB and 6 s. Each module keeps its own
// import.meta.url, so paths a test builds from it (../bin/osmo, ../src, a
// helper script) point where they did. Type checking is `npm run typecheck`.
//
//   node test/build-tests.mjs                       every test/*.test.ts
//   node test/build-tests.mjs FILE… [--outdir DIR]  these files only
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each module's own URL in place of import.meta.url, which in a bundle would be the bundle's. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/** Loaded from node_modules, not bundled: native or self-locating packages, and the test tools. */
const EXTERNAL = ['esbuild', 'tsx', '@napi-rs/keyring', 'oidc-provider', 'fast-check', 'cli-table3'];

const args = process.argv.slice(2);
const at = args.indexOf('--outdir');
const outdir = at === -1 ? `${ROOT}.test-build` : args.splice(at, 2)[1];
const files = args.length > 0 ? args : readdirSync(`${ROOT}test`).filter((f) => f.endsWith('.test.ts')).map((f) => `${ROOT}test/${f}`);

rmSync(outdir, { recursive: true, force: true });
// osmo's code cache for the run's test files to share (sharedCacheHome() in test/helpers/cli.ts).
mkdirSync(outdir, { recursive: true });
mkdirSync(`${outdir}/osmo-cache`, { mode: 0o700 });
// The Python interpreter the pseudo-terminal tests run (test/helpers/pty.ts), found
// once: `python3` on PATH may be a version manager's shim (pyenv's is a bash
// script that starts pyenv), about 0.2–0.4 s of CPU for each of some 50 runs.
const python = spawnSync('python3', ['-c', 'import pty, sys; print(sys.executable)'], { encoding: 'utf8' });
if (python.status === 0 && python.stdout.trim()) writeFileSync(`${outdir}/pty-python`, python.stdout.trim());
await build({
  entryPoints: files,
  outdir,
  outbase: ROOT,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  splitting: true,
  target: 'node20',
  external: EXTERNAL,
  // CommonJS libraries in an ES module bundle require Node's built-ins through this.
  banner: { js: "import { createRequire as __osmoCreateRequire } from 'node:module'; const require = __osmoCreateRequire(import.meta.url);" },
  // Stack traces name test/…ts and src/…ts lines (node --enable-source-maps).
  sourcemap: 'linked',
  plugins: [ownImportMetaUrl],
  logLevel: 'warning',
});
