import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newUser, tokenLogin, useServer } from './helpers/fixtures.js';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';

const server = useServer();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// module.enableCompileCache arrived in Node 22.1; @types/node describes Node 20.
const HAS_COMPILE_CACHE = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** Every entry of osmo's compile cache: <XDG_CACHE_HOME>/osmo/<Node version and flags>/<hash>. */
function cacheEntries(cacheHome: string): string[] {
  const root = join(cacheHome, 'osmo');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((sub) => readdirSync(join(root, sub)).map((f) => `${sub}/${f}`));
}

describe('start-up', () => {
  it('bin/osmo answers --version and -v itself, without the bundle, and fails loudly without one', () => {
    // A copy of the executable with no dist/ beside it: only the version can work.
    const dir = tempDir('osmo-unbuilt-');
    mkdirSync(join(dir, 'bin'));
    for (const f of ['bin/osmo', 'bin/package.json', 'package.json']) copyFileSync(join(ROOT, f), join(dir, f));
    const env = baseEnv(tempDir());
    for (const flag of ['--version', '-v']) {
      const res = spawnSync(process.execPath, [join(dir, 'bin', 'osmo'), flag], { env, encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      assert.equal(res.stdout, `${VERSION}\n`);
      assert.equal(res.stderr, '');
    }
    const help = spawnSync(process.execPath, [join(dir, 'bin', 'osmo'), '--help'], { env, encoding: 'utf8' });
    assert.equal(help.status, 10);
    assert.equal(help.stderr, 'Error: osmo is not built; run `npm install` (or `npm run build`) in its directory\n');

    // A bundle whose loading never finishes: a failure, never a silent exit 0.
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'cli.js'), 'await new Promise(() => {});\n');
    const stuck = spawnSync(process.execPath, [join(dir, 'bin', 'osmo'), 'token', 'list'], { env, encoding: 'utf8' });
    assert.equal(stuck.status, 10);
    assert.equal(stuck.stderr, 'Error: osmo stopped before it finished loading; run it again, and report it if it persists\n');
  });

  it('--version into a pipe that is already closed exits 0 quietly', () => {
    const res = spawnSync('bash', ['-c', `"${process.execPath}" "${OSMO_BIN}" --version | true; echo "status \${PIPESTATUS[0]}" >&2`], { env: baseEnv(tempDir()), encoding: 'utf8' });
    assert.equal(res.stderr, 'status 0\n');
  });

  it("keeps V8's compile cache under $XDG_CACHE_HOME/osmo where Node has one (22.1 and later)", async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'cache-token');
    const cacheHome = tempDir('osmo-xdg-cache-');
    const first = await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(first.code, 0, first.stderr);
    const entries = cacheEntries(cacheHome);
    if (HAS_COMPILE_CACHE) {
      assert.ok(entries.length > 0, 'a command leaves its compiled code in the cache');
      assert.ok(entries.every((e) => e.startsWith(`${process.version}-`)), `one subdirectory per Node version: ${entries.join(', ')}`);
    } else {
      assert.deepEqual(entries, [], 'Node 20 has no compile cache: nothing is written');
    }
    const second = await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout, 'a run from the cache prints the same');
    assert.deepEqual(cacheEntries(cacheHome), entries, 'a warm run writes nothing new');
  });

  it('falls back to ~/.cache/osmo when XDG_CACHE_HOME is unset or relative', async () => {
    const home = tempDir('osmo-home-');
    for (const xdg of [undefined, 'relative/cache']) {
      const res = await newUser().osmo(['--help'], { env: { HOME: home, XDG_CACHE_HOME: xdg } });
      assert.equal(res.code, 0, res.stderr);
    }
    assert.equal(existsSync(join(home, 'relative')), false);
    assert.equal(cacheEntries(join(home, '.cache')).length > 0, HAS_COMPILE_CACHE);
  });

  it('runs unchanged and silently where the cache cannot be created', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'nocache-token');
    const notADirectory = join(tempDir('osmo-xdg-file-'), 'file');
    writeFileSync(notADirectory, '');
    const res = await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: notADirectory } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    assert.match(res.stdout, /\| nocache-token +\|/);
  });

  it('parallel runs share one cold cache safely', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'shared-cache');
    const cacheHome = tempDir('osmo-xdg-shared-');
    const runs = await Promise.all(Array.from({ length: 6 }, () => osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } })));
    for (const res of runs) {
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, runs[0]!.stdout);
    }
    // Each entry is written to a temporary file and renamed: no half-written files stay behind.
    assert.ok(cacheEntries(cacheHome).every((e) => /\/[0-9a-f]{8}$/.test(e)), cacheEntries(cacheHome).join(', '));
    const after = await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, runs[0]!.stdout);
  });
});
