import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newUser, useServer } from './helpers/fixtures.js';
import { OSMO_BIN, baseEnv, runOsmo, tempDir, type RunOptions, type RunResult } from './helpers/cli.js';
import { writeState } from '../src/config/state.js';

const server = useServer();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
import { commandKey } from '../src/startup/code-cache.js';
const CACHE_SUBDIR = `v8-${process.version}-${process.arch}`;
const START_UP_REPORT = fileURLToPath(new URL('./helpers/start-up-report.cjs', import.meta.url));

// Start-up is a process matter: every command under test runs the real bin/osmo.
// A test's login is written, not run (what `osmo login --method dev` stores),
// as test/faults.test.ts sets up its users: the login is not under test here.

/** A user with a developer login to the server, holding a token named `name`, and a bin/osmo runner bound to its config directory. */
function loggedIn(name: string): { osmo: (args: string[], opts?: RunOptions) => Promise<RunResult> } {
  const dir = tempDir();
  writeState(dir, { version: 1, current: server().url, servers: { [server().url]: { method: 'dev', username: 'user@example.com' } } });
  server().issuePat('user@example.com', name);
  return { osmo: (args, opts = {}) => runOsmo(args, dir, opts) };
}

/** The files of osmo's code cache for this Node: <XDG_CACHE_HOME>/osmo/v8-<version>-<arch>/<build>-<command>.bin. */
function cacheFiles(cacheHome: string): string[] {
  const dir = join(cacheHome, 'osmo', CACHE_SUBDIR);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** A cache file's name without the build it belongs to (size, mtime and inode of the bundle). */
function withoutBuild(name: string): string {
  return name.replace(/^[0-9a-z]+-[0-9a-z]+-[0-9a-z]+-/, '');
}

/** The `[debug] code cache: …` lines of a run with --debug, without the time the check took. */
function cacheLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('[debug] code cache: '))
    .map((l) => l.slice('[debug] code cache: '.length).replace(/^used \(read and checked in [0-9.]+ ms\)$/, 'used'));
}

describe('start-up', () => {
  it('bin/osmo answers --version and -v itself, without the bundle, and says so when the bundle is missing', () => {
    // A copy of the executable with no dist/ beside it: only the version can work.
    const dir = tempDir('osmo-unbuilt-');
    mkdirSync(join(dir, 'bin'));
    for (const f of ['bin/osmo', 'bin/run-bundle.js', 'bin/package.json', 'package.json']) copyFileSync(join(ROOT, f), join(dir, f));
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
  });

  it('refuses an empty or cut-off bundle (exit 10, one line) instead of running nothing and exiting 0', () => {
    const dir = tempDir('osmo-cut-');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist'));
    for (const f of ['bin/osmo', 'bin/run-bundle.js', 'bin/package.json', 'package.json']) copyFileSync(join(ROOT, f), join(dir, f));
    copyFileSync(join(ROOT, 'dist', 'code-cache.cjs'), join(dir, 'dist', 'code-cache.cjs'));
    const whole = readFileSync(join(ROOT, 'dist', 'osmo.cjs'));
    const env = baseEnv(tempDir());
    for (const cut of [Buffer.alloc(0), whole.subarray(0, Math.floor(whole.length / 2)), whole.subarray(0, whole.length - 1)]) {
      writeFileSync(join(dir, 'dist', 'osmo.cjs'), cut);
      const res = spawnSync(process.execPath, [join(dir, 'bin', 'osmo'), 'login', 'http://127.0.0.1:9', '--method', 'token', '--token', 'x'], { env, encoding: 'utf8' });
      assert.equal(res.status, 10, `${cut.length} bytes: ${res.stderr}`);
      assert.equal(res.stderr, 'Error: osmo is not completely installed (dist/osmo.cjs is cut short); reinstall it, or run `npm run build` in its directory\n');
      assert.equal(res.stdout, '');
    }
    writeFileSync(join(dir, 'dist', 'osmo.cjs'), whole);
    const ok = spawnSync(process.execPath, [join(dir, 'bin', 'osmo'), 'whoami'], { env, encoding: 'utf8' });
    assert.equal(ok.status, 2, ok.stderr);
    assert.match(ok.stderr, /^Error: you are not logged in/);
  });

  it('--version into a pipe that is already closed exits 0 quietly', () => {
    const res = spawnSync('bash', ['-c', `"${process.execPath}" "${OSMO_BIN}" --version | true; echo "status \${PIPESTATUS[0]}" >&2`], { env: baseEnv(tempDir()), encoding: 'utf8' });
    assert.equal(res.stderr, 'status 0\n');
  });

  it('names a cache file after the command, never after what the user typed', () => {
    assert.equal(commandKey(['token', 'list']), 'token-list');
    assert.equal(commandKey(['token', 'set', 'my-token', '-d', 'x']), 'token-set');
    assert.equal(commandKey(['login', 'https://osmo.example.com', '--token-file', '/tmp/t']), 'login');
    assert.equal(commandKey(['status']), 'status');
    assert.equal(commandKey(['--help']), 'osmo');
    assert.equal(commandKey(['--debug', 'token', 'list']), 'osmo');
    assert.equal(commandKey(['api', 'GET', '/api/auth/access_token']), 'api');
    assert.equal(commandKey(['../../etc/passwd']), 'osmo');
  });
});

describe("V8's code cache", () => {
  it('the first run of a command leaves its compiled code under $XDG_CACHE_HOME/osmo; the next uses it and writes nothing', async () => {
    const { osmo } = loggedIn('cache-token');
    const cacheHome = tempDir('osmo-xdg-cache-');
    const first = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(cacheLines(first.stderr).map((l) => l.replace(/ to .*/, ' to FILE')), ['none yet', 'written to FILE']);
    const files = cacheFiles(cacheHome);
    assert.equal(files.length, 2, files.join(', '));
    assert.match(files[0]!, /^[0-9a-z]+-[0-9a-z]+-[0-9a-z]+-token-list\.bin$/);
    assert.equal(files[1], files[0]!.replace(/\.bin$/, '.tag'), 'the MAC beside it');
    const file = join(cacheHome, 'osmo', CACHE_SUBDIR, files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(cacheHome, 'osmo', 'code-cache.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(cacheHome, 'osmo')).mode & 0o777, 0o700);
    const written = statSync(file).mtimeMs;

    const second = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(cacheLines(second.stderr), ['used']);
    assert.equal(second.stdout, first.stdout, 'a run from the cache prints the same');
    assert.deepEqual(cacheFiles(cacheHome), files, 'a warm run writes nothing new');
    assert.equal(statSync(file).mtimeMs, written);

    // Another command has its own file; a failing command leaves none.
    const completion = await osmo(['completion', 'bash'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(completion.code, 0, completion.stderr);
    const typo = await osmo(['tokne', 'lst'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(typo.code, 2);
    assert.deepEqual(cacheFiles(cacheHome).map(withoutBuild), ['completion-bash.bin', 'completion-bash.tag', 'token-list.bin', 'token-list.tag']);
  });

  it('a cache file overwritten with junk is refused and replaced; the command works all the same', async () => {
    const { osmo } = loggedIn('damaged-cache');
    const cacheHome = tempDir('osmo-xdg-damaged-');
    const first = await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(first.code, 0, first.stderr);
    const file = join(cacheHome, 'osmo', CACHE_SUBDIR, cacheFiles(cacheHome)[0]!);
    writeFileSync(file, Buffer.alloc(4096, 0x41));
    const damaged = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.equal(damaged.stdout, first.stdout);
    assert.deepEqual(cacheLines(damaged.stderr).map((l) => l.replace(/ to .*/, ' to FILE')), [`not used: ${file} was not written by osmo for this build, or was changed since; replacing it`, 'written to FILE']);
    assert.notDeepEqual(readFileSync(file), Buffer.alloc(4096, 0x41));
    const after = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.deepEqual(cacheLines(after.stderr), ['used']);
  });

  it('a cache directory that others can write is neither read nor written', async () => {
    const { osmo } = loggedIn('open-cache');
    const cacheHome = tempDir('osmo-xdg-open-');
    assert.equal((await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } })).code, 0);
    const dir = join(cacheHome, 'osmo', CACHE_SUBDIR);
    chmodSync(dir, 0o777);
    const res = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /\| open-cache +\|/);
    const why = `${dir} is writable by others and not sticky (mode 777)`;
    assert.deepEqual(cacheLines(res.stderr), [`not used: ${why}`, `not written: ${why}`]);
    chmodSync(dir, 0o1777); // sticky: others may add files, but this one is osmo's own
    const sticky = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.deepEqual(cacheLines(sticky.stderr), [`not used: ${dir} is not a directory that only you can write`, `not written: ${dir} is not a directory that only you can write`]);
  });

  it('a new build of osmo starts a new cache and removes the files of the old one', async () => {
    const cacheHome = tempDir('osmo-xdg-upgrade-');
    const dir = join(cacheHome, 'osmo', CACHE_SUBDIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(join(cacheHome, 'osmo'), 0o700);
    writeFileSync(join(dir, 'old-build-1-osmo.bin'), 'compiled by an earlier osmo', { mode: 0o600 });
    const res = await newUser().osmo(['--help', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(res.code, 0, res.stderr);
    const files = cacheFiles(cacheHome);
    assert.equal(files.length, 2, files.join(', '));
    assert.match(files[0]!, /-osmo\.bin$/);
    assert.doesNotMatch(files[0]!, /^old-build/);
  });

  it('NODE_DISABLE_COMPILE_CACHE=1 turns it off', async () => {
    const cacheHome = tempDir('osmo-xdg-off-');
    const res = await newUser().osmo(['--help', '--debug'], { env: { XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: '1' } });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(cacheLines(res.stderr), ['off (NODE_DISABLE_COMPILE_CACHE=1)']);
    assert.equal(existsSync(join(cacheHome, 'osmo')), false);
  });

  it('falls back to ~/.cache/osmo when XDG_CACHE_HOME is unset', async () => {
    const home = tempDir('osmo-home-');
    const res = await newUser().osmo(['completion', 'bash'], { env: { HOME: home, XDG_CACHE_HOME: undefined } });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(cacheFiles(join(home, '.cache')).map(withoutBuild), ['completion-bash.bin', 'completion-bash.tag']);
  });

  it('falls back to ~/.cache/osmo when XDG_CACHE_HOME is relative, never under the working directory', () => {
    // A home and a working directory of its own: a relative XDG_CACHE_HOME
    // wrongly honoured would leave <cwd>/relative/osmo behind.
    const home = tempDir('osmo-home-');
    const cwd = tempDir('osmo-cwd-');
    const env = baseEnv(tempDir(), { HOME: home, XDG_CACHE_HOME: 'relative' });
    const res = spawnSync(process.execPath, [OSMO_BIN, 'completion', 'bash'], { env, cwd, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    assert.equal(existsSync(join(cwd, 'relative')), false, 'written under the working directory');
    assert.deepEqual(readdirSync(cwd), []);
    assert.deepEqual(cacheFiles(join(home, '.cache')).map(withoutBuild), ['completion-bash.bin', 'completion-bash.tag']);
  });

  it('runs unchanged and silently where the cache cannot be created', async () => {
    const { osmo } = loggedIn('nocache-token');
    const notADirectory = join(tempDir('osmo-xdg-file-'), 'file');
    writeFileSync(notADirectory, '');
    const res = await osmo(['token', 'list'], { env: { XDG_CACHE_HOME: notADirectory } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    assert.match(res.stdout, /\| nocache-token +\|/);
  });

  it('parallel runs share one cold cache safely', async () => {
    const { osmo } = loggedIn('shared-cache');
    const cacheHome = tempDir('osmo-xdg-shared-');
    const runs = await Promise.all(Array.from({ length: 6 }, () => osmo(['token', 'list'], { env: { XDG_CACHE_HOME: cacheHome } })));
    for (const res of runs) {
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, runs[0]!.stdout);
    }
    // Each file is written to a temporary file and renamed: one file, no leftovers.
    assert.deepEqual(cacheFiles(cacheHome).map(withoutBuild), ['token-list.bin', 'token-list.tag']);
    const after = await osmo(['token', 'list', '--debug'], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, runs[0]!.stdout);
    assert.deepEqual(cacheLines(after.stderr), ['used']);
  });
});

describe('what a warm command loads and does', () => {
  it('no built-in its libraries bring for what osmo does not do, no error stack formatted; on Node 20 the built-ins it needs load before the V8 flag', async () => {
    const { osmo } = loggedIn('builtins-token');
    const report = join(tempDir(), 'report.json');
    const res = await osmo(['token', 'list'], { env: { NODE_OPTIONS: `--require ${JSON.stringify(START_UP_REPORT)}`, OSMO_TEST_START_UP_REPORT: report } });
    assert.equal(res.code, 0, res.stderr);
    const { builtins: loaded, stacks } = JSON.parse(readFileSync(report, 'utf8')) as { builtins: string[]; stacks: string[] };
    assert.ok(loaded.includes('net') && loaded.includes('http'), `what a request needs is in the list: ${loaded.join(' ')}`);
    // src/lazy-builtins/: stand-ins that load these only if ever called.
    for (const unused of ['http2', 'child_process', 'assert']) assert.ok(!loaded.includes(unused), `${unused} was loaded`);
    // The connections are closed with an error whose stack is already a string (src/http/transport.ts).
    assert.deepEqual(stacks, [], 'each costs a scan of the whole bundle for line ends');
    // bin/run-bundle.js: V8 11 gets --liftoff-only through node:v8, after which
    // V8 refuses Node's own code cache for every built-in loaded; so the
    // usual ones come first. V8 12 and later (Node 22+) get no flag.
    const flag = loaded.indexOf('v8');
    if (Number(process.versions.v8.split('.')[0]) < 12) {
      assert.ok(flag > 0, 'node:v8 sets the flag');
      const late = loaded.slice(flag + 1).filter((m) => /^(stream|net|tty|http|timers\/promises|diagnostics_channel|_http_\w+|internal\/streams\/\w+)$/.test(m));
      assert.deepEqual(late, [], 'loaded after the flag, compiled without their code cache');
    } else {
      assert.equal(flag, -1, 'no V8 flag, so node:v8 is not loaded');
    }
  });
});
