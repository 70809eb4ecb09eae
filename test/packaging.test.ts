import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { baseEnv, tempDir } from './helpers/cli.js';
import { useServer } from './helpers/fixtures.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
  engines: { node: string };
  dependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const server = useServer();

interface PackResult {
  filename: string;
  files: Array<{ path: string; mode: number }>;
}

/**
 * What a user gets from the registry: `npm pack` (whose `prepare` builds
 * dist/), then `npm install -g` of the tarball into an empty prefix. The pack
 * runs in a copy of the project so that its rebuild of dist/ cannot pull the
 * bundle from under tests running at the same time.
 */
describe('packaging', () => {
  it('npm pack, npm install -g into an empty prefix: only keytar beside the bundle; --version, --help, token list work', { timeout: 180_000 }, async () => {
    const work = tempDir('osmo-pack-');
    const copy = join(work, 'src-copy');
    const skip = new Set(['node_modules', 'dist', '.git', 'test', 'bench', '.ci']);
    cpSync(ROOT, copy, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split(sep)[0]!) });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');

    const out = join(work, 'out');
    mkdirSync(out);
    const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const pack = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: copy, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('\n[') + 1 || pack.stdout.indexOf('['))) as PackResult[];
    assert.ok(packed, pack.stdout);
    const paths = packed.files.map((f) => f.path);
    assert.ok(paths.includes('bin/osmo'), 'the bin script is packed');
    assert.ok(paths.includes('bin/run-bundle.js'), 'the loader beside it is packed');
    assert.ok(paths.includes('dist/osmo.cjs'), 'the bundle is packed (built by prepare)');
    assert.ok(paths.includes('package.json'));
    assert.deepEqual(paths.filter((p) => !/^(bin|dist)\//.test(p) && !/^(package\.json|README(\.md)?|LICENSE(\.md|\.txt)?)$/i.test(p)), [], 'nothing but bin/, dist/, package.json, README and LICENSE');
    assert.deepEqual(paths.filter((p) => p.startsWith('dist/')).sort(), ['dist/code-cache.cjs', 'dist/help.json', 'dist/osmo.cjs', 'dist/osmo.cjs.map'], 'the bundle is one file, beside the help pages, the code cache check and the source map for --debug');
    assert.equal(packed.files.find((f) => f.path === 'bin/osmo')!.mode & 0o111, 0o111, 'bin/osmo is executable');

    const prefix = join(work, 'prefix');
    const tarball = join(out, packed.filename);
    // --ignore-scripts: the bundle is prebuilt, and keytar's native build is not what this test is about.
    await run('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], { env: npmEnv, timeout: 120_000 });
    const osmo = join(prefix, 'bin', 'osmo');
    assert.ok(existsSync(osmo), `${osmo} is installed`);

    // Everything osmo runs is in its bundle: the only thing installed beside it is keytar (and what keytar needs).
    const installed = readdirSync(join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules')).filter((d) => !d.startsWith('.'));
    const bundled = Object.keys(pkg.devDependencies).filter((d) => installed.includes(d.split('/')[0]!));
    assert.deepEqual(bundled, [], 'no build-time dependency is installed');
    assert.ok(installed.includes('keytar'), `keytar is installed: ${installed.join(', ')}`);

    // Run through its shebang, with nothing from this checkout on the path to the modules.
    const env = baseEnv(join(work, 'config'));
    const version = await run(osmo, ['--version'], { env, cwd: work });
    assert.equal(version.stdout, `${pkg.version}\n`);
    const help = await run(osmo, ['--help'], { env, cwd: work });
    assert.match(help.stdout, /^Usage: osmo \[options\] \[command\]\n/);
    assert.match(help.stdout, /\n {2}token +Create, rotate, list, inspect and delete/);
    const completion = await run(osmo, ['completion', 'bash'], { env, cwd: work });
    assert.match(completion.stdout, /complete -F _osmo_complete osmo/);
    const whoami = await run(osmo, ['whoami'], { env, cwd: work }).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => err);
    assert.equal(whoami.code, 2, whoami.stderr);
    assert.match(whoami.stderr, /not logged in/);

    // A real API command: the HTTP stack, zod, the session and the table, all from the bundle.
    const pat = server().issuePat('user@example.com', 'packaged-token');
    writeFileSync(join(work, 'token'), pat, { mode: 0o600 });
    const login = await run(osmo, ['login', server().url, '--method', 'token', '--token-file', join(work, 'token')], { env, cwd: work });
    assert.match(login.stdout, /Successfully logged in/);
    const list = await run(osmo, ['token', 'list'], { env, cwd: work });
    assert.match(list.stdout, /\| packaged-token +\| +\| Active +\|/);
  });

  it('package.json declares what npm and users need', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(meta.bin, { osmo: 'bin/osmo' });
    // SPEC.md section 2: 20.18 and later on the 20 line, 22, 24 and 26 (.ci/run tests each).
    assert.equal(pkg.engines.node, '^20.18.1 || ^22 || ^24 || >=26');
    // Run time needs only what the bundle cannot contain: keytar, a native module.
    assert.equal(pkg.dependencies, undefined);
    assert.deepEqual(Object.keys(pkg.optionalDependencies ?? {}), ['keytar']);
    assert.ok(meta.license && meta.description);
    assert.ok(pkg.files.includes('bin/') && pkg.files.includes('dist/'));
    assert.match(readFileSync(join(ROOT, 'bin', 'osmo'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.deepEqual(JSON.parse(readFileSync(join(ROOT, 'bin', 'package.json'), 'utf8')), { type: 'commonjs' });
  });
});
