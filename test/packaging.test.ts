import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it, type TestContext } from 'node:test';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { baseEnv, readTree, tempDir } from './helpers/cli.js';
import { useServer } from './helpers/fixtures.js';
import { startSecretService, type SecretService } from './helpers/secret-service.js';
import { skipOrFail } from './helpers/unavailable.js';

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

const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let service: Promise<SecretService | { unavailable: string }> | undefined;
after(async () => {
  const started = await service;
  if (started && 'stop' in started) await started.stop();
});

/** A private Secret Service for this file, or skip (fail under OSMO_TEST_STRICT=1). */
async function secretService(t: TestContext): Promise<SecretService | undefined> {
  service ??= startSecretService();
  const started = await service;
  if ('unavailable' in started) {
    skipOrFail(t, `no keychain: ${started.unavailable}`);
    return undefined;
  }
  return started;
}

/**
 * What a user gets from the registry: `npm pack` (whose `prepack` builds
 * dist/), once for this file. The pack runs in a copy of the project so that
 * its rebuild of dist/ cannot pull the bundle from under tests running at the
 * same time.
 */
interface Packed { work: string; copy: string; tarball: string; packed: PackResult; built: number }
let packing: Promise<Packed> | undefined;
function packed(): Promise<Packed> {
  packing ??= (async () => {
    const work = tempDir('osmo-pack-');
    const copy = join(work, 'src-copy');
    const skip = new Set(['node_modules', 'dist', '.git', 'test', 'bench', '.ci']);
    // Nor what the test run builds (.test-build/: 120 MB of bundles, and the code cache other test files are writing to).
    const testOutput = (name: string): boolean => name.startsWith('.test-build') || name.startsWith('.dist-');
    cpSync(ROOT, copy, { recursive: true, filter: (src) => { const top = relative(ROOT, src).split(sep)[0]!; return !skip.has(top) && !testOutput(top); } });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const out = join(work, 'out');
    mkdirSync(out);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: copy, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
    const [result] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('\n[') + 1 || pack.stdout.indexOf('['))) as PackResult[];
    assert.ok(result, pack.stdout);
    // When the bundle was built, before `npm link` could rebuild it.
    return { work, copy, tarball: join(out, result.filename), packed: result, built: statSync(join(copy, 'dist', 'osmo.cjs')).mtimeMs };
  })();
  return packing;
}

/** `npm install -g` of the tarball into a fresh, empty prefix; npm's output, to check for warnings. */
async function installGlobally(tarball: string, prefix: string, flags: string[] = []): Promise<{ osmo: string; dir: string; npmOutput: string }> {
  const res = await run('npm', ['install', '-g', '--prefix', prefix, ...flags, '--prefer-offline', '--no-audit', '--no-fund', tarball], { env: npmEnv, timeout: 120_000 });
  const osmo = join(prefix, 'bin', 'osmo');
  assert.ok(existsSync(osmo), `${osmo} is installed`);
  return { osmo, dir: join(prefix, 'lib', 'node_modules', pkg.name), npmOutput: `${res.stdout}${res.stderr}` };
}

/** `npm link` of the packed copy into a prefix of its own; npm's output. */
async function linkGlobally(copy: string, prefix: string): Promise<string> {
  const link = await run('npm', ['link', '--no-audit', '--no-fund'], { cwd: copy, env: { ...npmEnv, npm_config_prefix: prefix }, timeout: 120_000 });
  return `${link.stdout}${link.stderr}`;
}

/**
 * The three installs and the link each go to a prefix of their own and share
 * nothing but npm's cache, which takes concurrent writers: all four start as
 * soon as the tarball is there, and each test awaits its own (the keychain,
 * where tests would meet, is used by one test at a time). Started by the
 * first test, so that a run of one test by name starts no others' work.
 */
let installing: Promise<{ plain: ReturnType<typeof installGlobally>; strict: ReturnType<typeof installGlobally>; link: Promise<string>; planted: ReturnType<typeof installGlobally> }> | undefined;
function installs(): NonNullable<typeof installing> {
  installing ??= packed().then(({ work, copy, tarball }) => {
    const started = {
      plain: installGlobally(tarball, join(work, 'prefix')),
      strict: installGlobally(tarball, join(work, 'strict-prefix'), ['--ignore-scripts']),
      link: linkGlobally(copy, join(work, 'link-prefix')),
      planted: installGlobally(tarball, join(work, 'planted', 'prefix'), ['--ignore-scripts']),
    };
    // Awaited by the test that needs each; a failure is reported there, not as an unhandled rejection.
    for (const p of Object.values(started)) (p as Promise<unknown>).catch(() => undefined);
    return started;
  });
  return installing;
}

describe('packaging', () => {
  it('npm pack, npm install -g into an empty prefix: no install script, only the keychain binding beside the bundle; --version, --help, token list work', { timeout: 180_000 }, async () => {
    const { work, packed: result } = await packed();
    void installs();
    service ??= startSecretService(); // for the tests after this one, meanwhile
    const paths = result.files.map((f) => f.path);
    assert.ok(paths.includes('bin/osmo'), 'the bin script is packed');
    assert.ok(paths.includes('bin/run-bundle.js'), 'the loader beside it is packed');
    assert.ok(paths.includes('dist/osmo.cjs'), 'the bundle is packed (built by prepack)');
    assert.ok(paths.includes('package.json'));
    assert.deepEqual(paths.filter((p) => !/^(bin|dist)\//.test(p) && !/^(package\.json|README(\.md)?|LICENSE(\.md|\.txt)?)$/i.test(p)), [], 'nothing but bin/, dist/, package.json, README and LICENSE');
    assert.deepEqual(paths.filter((p) => p.startsWith('dist/')).sort(), ['dist/code-cache.cjs', 'dist/help.json', 'dist/osmo.cjs', 'dist/osmo.cjs.map'], 'the bundle is one file, beside the help pages, the code cache check and the source map for --debug');
    assert.equal(result.files.find((f) => f.path === 'bin/osmo')!.mode & 0o111, 0o111, 'bin/osmo is executable');

    // npm's default policy: it would list every package with an install script it did not run.
    const { osmo, dir, npmOutput } = await (await installs()).plain;
    assert.doesNotMatch(npmOutput, /install.scripts|allowScripts|allow-scripts/i, 'npm warns about an install script');

    // Everything osmo runs is in its bundle: the only thing installed beside it is the keychain binding.
    const installed = readdirSync(join(dir, 'node_modules')).filter((d) => !d.startsWith('.'));
    assert.deepEqual(installed, ['@napi-rs'], 'no build-time dependency is installed');
    const binding = readdirSync(join(dir, 'node_modules', '@napi-rs')).sort();
    assert.equal(binding.length, 2, binding.join(', '));
    assert.equal(binding[0], 'keyring');
    assert.ok(binding[1]!.startsWith(`keyring-${process.platform}-${process.arch}`), `the prebuilt binary for this machine: ${binding[1]}`);

    // Run through its shebang, with nothing from this checkout on the path to the modules.
    const env = baseEnv(join(work, 'config'));
    // Four commands that read nothing another one writes: run at once.
    const [version, help, completion, whoami] = await Promise.all([
      run(osmo, ['--version'], { env, cwd: work }),
      run(osmo, ['--help'], { env, cwd: work }),
      run(osmo, ['completion', 'bash'], { env, cwd: work }),
      run(osmo, ['whoami'], { env, cwd: work }).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => err),
    ]);
    assert.equal(version.stdout, `${pkg.version}\n`);
    assert.match(help.stdout, /^Usage: osmo \[options\] \[command\]\n/);
    assert.match(help.stdout, /\n {2}token +Create, rotate, list, inspect and delete/);
    assert.match(completion.stdout, /complete -F _osmo_complete osmo/);
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

  it('installed with --ignore-scripts, a login keeps its secrets in the real Secret Service, not in a file', { timeout: 180_000 }, async (t) => {
    const service = await secretService(t);
    if (!service) return;
    const { work } = await packed();
    // The strictest install-scripts policy: nothing may run, and nothing needs to.
    const { osmo } = await (await installs()).strict;
    const config = join(work, 'strict-config');
    const env = baseEnv(config, { ...service.env, OSMO_CREDENTIAL_STORE: undefined });
    const pat = server().issuePat('user@example.com', 'strict-install');
    writeFileSync(join(work, 'strict-token'), pat, { mode: 0o600 });
    const login = await run(osmo, ['login', server().url, '--method', 'token', '--token-file', join(work, 'strict-token')], { env, cwd: work });
    assert.equal(login.stderr, '', 'no note about a fallback to the file');
    const stored = JSON.parse(readFileSync(join(config, 'config.json'), 'utf8')) as { servers: Record<string, { store?: string }> };
    assert.equal(stored.servers[server().url]?.store, 'keychain');
    assert.ok(!readTree(config).includes(pat), 'the PAT is in a file');
    const found = await run('secret-tool', ['lookup', 'service', 'osmo-cli', 'username', server().url], { env: { ...process.env, ...service.env }, timeout: 10_000 });
    assert.equal((JSON.parse(found.stdout) as { pat?: string }).pat, pat, 'secret-tool finds the PAT in the keychain');
    const list = await run(osmo, ['token', 'list'], { env, cwd: work });
    assert.match(list.stdout, /strict-install/);
  });

  it('npm link: no install-scripts warning, nothing rebuilt; the linked osmo keeps a login in the keychain', { timeout: 180_000 }, async (t) => {
    // The copy that was packed: dist/ built (by prepack), node_modules installed, as after `npm install` in a clone.
    const { work, copy, built } = await packed();
    const prefix = join(work, 'link-prefix');
    const linkOutput = await (await installs()).link;
    assert.doesNotMatch(linkOutput, /install.scripts|allowScripts|allow-scripts/i, 'npm warns about an install script');
    assert.equal(statSync(join(copy, 'dist', 'osmo.cjs')).mtimeMs, built, 'npm link rebuilt dist/');
    const osmo = join(prefix, 'bin', 'osmo');
    assert.equal((await run(osmo, ['--version'], { cwd: work })).stdout, `${pkg.version}\n`);

    const service = await secretService(t);
    if (!service) return;
    const config = join(work, 'link-config');
    const pat = server().issuePat('user@example.com', 'linked-osmo');
    writeFileSync(join(work, 'link-token'), pat, { mode: 0o600 });
    const login = await run(osmo, ['login', server().url, '--method', 'token', '--token-file', join(work, 'link-token')], { env: baseEnv(config, { ...service.env, OSMO_CREDENTIAL_STORE: undefined }), cwd: work });
    assert.equal(login.stderr, '', 'no note about a fallback to the file');
    assert.ok(!readTree(config).includes(pat), 'the PAT is in a file');
  });

  it('a keychain module planted in an ancestor node_modules, the working directory or NODE_PATH never loads, not even at logout with OSMO_CREDENTIAL_STORE=file', { timeout: 180_000 }, async () => {
    const { work } = await packed();
    // osmo installed under a directory others can write (a checkout in /tmp), without its binding.
    const { osmo, dir } = await (await installs()).planted;
    rmSync(join(dir, 'node_modules', '@napi-rs'), { recursive: true });
    const loaded = join(work, 'planted', 'loaded');
    mkdirSync(loaded);
    // Each planted module records that it ran, and would receive every secret.
    const plant = (nodeModules: string, name: string): void => {
      mkdirSync(join(nodeModules, name), { recursive: true });
      writeFileSync(join(nodeModules, name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
      writeFileSync(join(nodeModules, name, 'index.js'), `require('node:fs').writeFileSync(${JSON.stringify(join(loaded, name.replace('/', '+')))} + '-' + process.pid, __filename);\n`);
    };
    const prebuilt = `@napi-rs/keyring-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`;
    const cwd = join(work, 'planted', 'cwd');
    const nodePath = join(work, 'planted', 'node-path');
    const places = [join(work, 'planted', 'prefix', 'lib', 'node_modules'), join(work, 'planted', 'node_modules'), join(work, 'node_modules'), join(cwd, 'node_modules'), nodePath];
    for (const place of places) for (const name of ['keytar', '@napi-rs/keyring', prebuilt]) plant(place, name);
    // Inside osmo's own node_modules, a link that leads out of it is refused too.
    mkdirSync(join(dir, 'node_modules', '@napi-rs'));
    symlinkSync(join(nodePath, prebuilt), join(dir, 'node_modules', prebuilt), 'dir');
    const binaryName = `keyring.${prebuilt.slice('@napi-rs/keyring-'.length)}.node`;
    writeFileSync(join(nodePath, prebuilt, binaryName), 'not a native module');

    const config = join(work, 'planted', 'config');
    // A D-Bus address (none listens there): osmo gets as far as loading the binding.
    const env = baseEnv(config, {
      OSMO_CREDENTIAL_STORE: undefined,
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(work, 'planted', 'no-bus')}`,
      NODE_PATH: nodePath,
      NAPI_RS_NATIVE_LIBRARY_PATH: join(nodePath, prebuilt, 'index.js'),
    });
    const pat = server().issuePat('user@example.com', 'planted-module');
    writeFileSync(join(work, 'planted', 'token'), pat, { mode: 0o600 });
    const login = await run(osmo, ['login', server().url, '--method', 'token', '--token-file', join(work, 'planted', 'token')], { env, cwd });
    assert.match(login.stdout, /Successfully logged in/);
    assert.match(login.stderr, new RegExp(`^Note: the keychain is unavailable: \\S+/${binaryName.replace(/\./g, '\\.')} leads outside osmo's installation; credentials are stored in \\S+credentials\\.json \\(readable only by you\\)\n$`));
    assert.ok(readFileSync(join(config, 'credentials.json'), 'utf8').includes(pat), 'the PAT went to the file store');
    const list = await run(osmo, ['token', 'list'], { env, cwd });
    assert.match(list.stdout, /planted-module/);
    // logout looks for keychain items even when the file store is forced.
    const logout = await run(osmo, ['logout'], { env: { ...env, OSMO_CREDENTIAL_STORE: 'file' }, cwd });
    assert.match(logout.stdout, /Successfully logged out/);
    assert.deepEqual(readdirSync(loaded), [], 'a planted module ran');
  });

  it('package.json declares what npm and users need', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(meta.bin, { osmo: 'bin/osmo' });
    // SPEC.md section 2: 20.18 and later on the 20 line, 22, 24 and 26 (.ci/run tests each).
    assert.equal(pkg.engines.node, '^20.18.1 || ^22 || ^24 || >=26');
    // Run time needs only what the bundle cannot contain: the keychain binding, native and prebuilt.
    assert.equal(pkg.dependencies, undefined);
    assert.deepEqual(Object.keys(pkg.optionalDependencies ?? {}), ['@napi-rs/keyring']);
    // npm lists (and, by default, refuses to run) these for a package installed from a tarball or linked;
    // a clone's `npm install` builds dist/ in postprepare, a step npm runs only for the project itself.
    const scripts = (meta.scripts ?? {}) as Record<string, string>;
    assert.deepEqual(['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => s in scripts), []);
    assert.equal(scripts.prepack, 'node build.mjs', 'npm pack and npm publish build dist/');
    assert.equal(scripts.postprepare, 'node build.mjs', 'npm install in a clone builds dist/');
    assert.ok(meta.license && meta.description);
    assert.ok(pkg.files.includes('bin/') && pkg.files.includes('dist/'));
    assert.match(readFileSync(join(ROOT, 'bin', 'osmo'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.deepEqual(JSON.parse(readFileSync(join(ROOT, 'bin', 'package.json'), 'utf8')), { type: 'commonjs' });
  });
});
