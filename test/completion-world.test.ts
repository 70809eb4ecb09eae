// Completion that knows the user's world: each real shell (bash, zsh, fish)
// runs the script osmo prints, which asks the real bin/osmo, logged in to a
// local server, for the stored servers and the token names.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { futureDate, LIST, newUser, tokenLogin, useServer } from './helpers/fixtures.js';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';
import { skipOrFail } from './helpers/unavailable.js';

const server = useServer();
const user = newUser();
/** A directory holding an `osmo` that runs the real bin/osmo, first on the shells' PATH. */
const binDir = tempDir('osmo-path-');
let env: Record<string, string>;
let scripts: Record<'bash' | 'zsh' | 'fish', string>;

/** Runs a shell without blocking this process: the local server answers from it. */
async function run(file: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
  return (await promisify(execFile)(file, args, { env: { ...env, ...extra }, encoding: 'utf8' })).stdout;
}

function has(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The replies of the bash function for a command line whose cursor is at its
 * end, with COMP_WORDS split as bash splits them (at ":" too).
 */
async function bash(line: string, extra: Record<string, string> = {}): Promise<string[]> {
  const words = line.split(' ').flatMap((w) => w.split(/(:)/)).filter((w, i, all) => w !== '' || i === all.length - 1);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `source "$1"
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}; COMPREPLY=()
_osmo_complete osmo; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return (await run('bash', ['--norc', '--noprofile', '-c', program, 'bash', scripts.bash], extra)).split('\n').filter(Boolean);
}

describe('completion that knows your servers and tokens', () => {
  before(async () => {
    await tokenLogin(server(), user.osmo, 'tab@example.com', 'tab-login');
    for (const name of ['laptop', 'ci-deploy']) assert.equal((await user.osmo(['token', 'set', name, '-e', futureDate(9)])).code, 0);
    writeFileSync(join(binDir, 'osmo'), `#!/bin/sh\nexec '${process.execPath}' '${OSMO_BIN}' "$@"\n`);
    chmodSync(join(binDir, 'osmo'), 0o755);
    env = baseEnv(user.dir, { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` });
    const script = (shell: string): string => {
      const file = join(tempDir('osmo-completion-'), `osmo.${shell}`);
      writeFileSync(file, spawnSync('osmo', ['completion', shell], { env, encoding: 'utf8' }).stdout);
      return file;
    };
    scripts = { bash: script('bash'), zsh: script('zsh'), fish: script('fish') };
  });

  it('bash: stored servers for login, logout, status, switch; token names for token delete, rm, roles, rotate', async () => {
    const url = server().url;
    for (const cmd of ['login', 'logout', 'status', 'switch']) assert.deepEqual(await bash(`osmo ${cmd} `), [url], cmd);
    // bash replaces only what follows the last ":" of a URL.
    assert.deepEqual(await bash(`osmo switch ${url.slice(0, url.lastIndexOf(':') + 1)}`), [url.slice(url.lastIndexOf(':') + 1)]);
    for (const cmd of ['token delete', 'token rm', 'token roles', 'token rotate']) assert.deepEqual((await bash(`osmo ${cmd} `)).sort(), ['ci-deploy', 'laptop', 'tab-login'], cmd);
    assert.deepEqual(await bash('osmo token delete la'), ['laptop']);
    assert.deepEqual(await bash('osmo token delete --'), ['--user', '--format-type', '--json', '--help', '--debug']);
  });

  it('zsh: the same words', async (t) => {
    if (!has('zsh')) return skipOrFail(t, 'zsh is not installed');
    // compsys needs a terminal; stand-ins for its builtins print what they are given.
    const program = `compdef() { :; }
_describe() { :; }
compadd() { shift; print -r -- "$*"; }
source "$1"
t() { words=("$@"); CURRENT=\${#words}; PREFIX="\${words[-1]}"; _osmo; }
t osmo switch ''; t osmo logout ''; t osmo token delete ''; t osmo token revoke ''`;
    const out = (await run('zsh', ['-f', '-c', program, 'zsh', scripts.zsh])).trimEnd().split('\n');
    assert.equal(out[0], server().url);
    assert.equal(out[1], server().url);
    assert.deepEqual(out[2]!.split(' ').sort(), ['ci-deploy', 'laptop', 'tab-login']);
    assert.deepEqual(out[3]!.split(' ').sort(), ['ci-deploy', 'laptop', 'tab-login']);
  });

  it('fish: the same words', async (t) => {
    if (!has('fish')) return skipOrFail(t, 'fish is not installed');
    const words = async (line: string): Promise<string[]> =>
      (await run('fish', ['--no-config', '-c', `source $argv[1]; complete -C '${line}'`, scripts.fish])).split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
    assert.deepEqual(await words('osmo switch '), [server().url]);
    assert.deepEqual(await words('osmo status '), [server().url]);
    assert.deepEqual(await words('osmo token rotate '), ['ci-deploy', 'laptop', 'tab-login']);
    assert.deepEqual(await words('osmo token remove '), ['ci-deploy', 'laptop', 'tab-login']);
  });

  it('user IDs for user get, update and delete, for an administrator; nothing for a plain user', async (t) => {
    const admin = newUser();
    await tokenLogin(server(), admin.osmo, 'admin@example.com', 'admin-tab');
    for (const id of ['svc-build', 'svc-deploy']) server().addUser(id, ['osmo-user']);
    const asAdmin = { OSMO_CONFIG_DIR: admin.dir };
    for (const cmd of ['user get', 'user update', 'user delete']) {
      const words = await bash(`osmo ${cmd} svc-`, asAdmin);
      assert.deepEqual(words.sort(), ['svc-build', 'svc-deploy'], cmd);
    }
    // The service answers a plain user 403: completion stays silent.
    assert.deepEqual(await bash('osmo user get svc-'), []);
    if (!has('fish')) return skipOrFail(t, 'fish is not installed');
    const fish = await run('fish', ['--no-config', '-c', `source $argv[1]; complete -C 'osmo user get svc-'`, scripts.fish], asAdmin);
    assert.deepEqual(fish.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort(), ['svc-build', 'svc-deploy']);
  });

  it('a service that does not answer: nothing offered, within about a second, no prompt and no error shown', async () => {
    server().fault({ route: LIST, delayMs: 5_000, times: 1 });
    const started = Date.now();
    assert.deepEqual(await bash('osmo token delete '), []);
    const took = Date.now() - started;
    assert.ok(took < 2_500, `took ${took} ms`);
    server().clearFaults();
  });

  it('not logged in, or an unknown source: nothing offered, exit 0', async () => {
    assert.equal(await run('osmo', ['__complete', 'tokens'], { OSMO_CONFIG_DIR: tempDir() }), '');
    assert.equal(await run('osmo', ['__complete', 'servers'], { OSMO_CONFIG_DIR: tempDir() }), '');
    assert.equal(await run('osmo', ['__complete', 'nonsense']), '');
  });
});
