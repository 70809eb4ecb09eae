// Completion that knows the user's world: each real shell (bash, zsh, fish)
// runs the script osmo prints, which asks osmo, logged in to a local server,
// for the stored servers and the token names. Each shell asks the real
// bin/osmo once (and bash again for a service that does not answer); for the
// other command lines the `osmo` on the shell's PATH is a stand-in that prints
// what `osmo __complete SOURCE` printed in-process (test/helpers/in-process.ts)
// for the same user, so the shells' handling of every line is still real.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { futureDate, LIST, tokenLogin, useServer } from './helpers/fixtures.js';
import { OSMO_BIN, baseEnv, tempDir } from './helpers/cli.js';
import { inProcessUser, runInProcess } from './helpers/in-process.js';
import { skipOrFail } from './helpers/unavailable.js';

const server = useServer();
const user = inProcessUser();
/** A directory holding an `osmo` that runs the real bin/osmo. */
const binDir = tempDir('osmo-path-');
/** A directory holding an `osmo` that prints the words saved for `__complete SOURCE` under $OSMO_WORDS. */
const standInDir = tempDir('osmo-standin-');
let env: Record<string, string>;
let scripts: Record<'bash' | 'zsh' | 'fish', string>;

/** The PATH and words a shell run gets: the real bin/osmo, or the stand-in answering for the user of `configDir`. */
type Osmo = { real: true } | { wordsOf: string };

const wordsDirs = new Map<string, string>();

/** What `osmo __complete SOURCE` prints in-process for the user of `configDir`, saved for the stand-in. */
async function saveWords(configDir: string): Promise<void> {
  const dir = tempDir('osmo-words-');
  for (const source of ['servers', 'tokens', 'users']) {
    const res = await runInProcess(['__complete', source], configDir, { env: { OSMO_HTTP_TIMEOUT: '1' } });
    assert.equal(res.code, 0, res.stderr);
    writeFileSync(join(dir, source), res.stdout);
  }
  wordsDirs.set(configDir, dir);
}

function osmoEnv(osmo: Osmo): Record<string, string> {
  if ('real' in osmo) return { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  return { PATH: `${standInDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, OSMO_CONFIG_DIR: osmo.wordsOf, OSMO_WORDS: wordsDirs.get(osmo.wordsOf)! };
}

/** Runs a shell without blocking this process: the local server answers from it. */
async function run(file: string, args: string[], extra: Record<string, string> = {}, osmo: Osmo = { wordsOf: user.dir }): Promise<string> {
  return (await promisify(execFile)(file, args, { env: { ...env, ...osmoEnv(osmo), ...extra }, encoding: 'utf8' })).stdout;
}

function has(shell: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The replies of the bash function for a command line whose cursor is at its
 * end, with COMP_WORDS split as bash splits them (at ":" too).
 */
async function bash(line: string, osmo?: Osmo): Promise<string[]> {
  const words = line.split(' ').flatMap((w) => w.split(/(:)/)).filter((w, i, all) => w !== '' || i === all.length - 1);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `source "$1"
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}; COMPREPLY=()
_osmo_complete osmo; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return (await run('bash', ['--norc', '--noprofile', '-c', program, 'bash', scripts.bash], {}, osmo)).split('\n').filter(Boolean);
}

describe('completion that knows your servers and tokens', () => {
  before(async () => {
    await tokenLogin(server(), user.osmo, 'tab@example.com', 'tab-login');
    for (const name of ['laptop', 'ci-deploy']) assert.equal((await user.osmo(['token', 'set', name, '-e', futureDate(9)])).code, 0);
    writeFileSync(join(binDir, 'osmo'), `#!/bin/sh\nexec '${process.execPath}' '${OSMO_BIN}' "$@"\n`);
    // Only the scripts' own call is answered: `osmo __complete SOURCE`, with their time bound.
    writeFileSync(join(standInDir, 'osmo'), '#!/bin/sh\n[ "$1" = __complete ] && [ "$OSMO_HTTP_TIMEOUT" = 1 ] || exit 64\nexec cat "$OSMO_WORDS/$2"\n');
    chmodSync(join(binDir, 'osmo'), 0o755);
    chmodSync(join(standInDir, 'osmo'), 0o755);
    env = baseEnv(user.dir);
    await saveWords(user.dir);
    const script = async (shell: string): Promise<string> => {
      const file = join(tempDir('osmo-completion-'), `osmo.${shell}`);
      const res = await user.osmo(['completion', shell]);
      assert.equal(res.code, 0, res.stderr);
      writeFileSync(file, res.stdout);
      return file;
    };
    scripts = { bash: await script('bash'), zsh: await script('zsh'), fish: await script('fish') };
  });

  it('bash: stored servers for login, logout, status, switch; token names for token delete, rm, roles, rotate', async () => {
    const url = server().url;
    for (const cmd of ['login', 'logout', 'status', 'switch']) assert.deepEqual(await bash(`osmo ${cmd} `), [url], cmd);
    // bash replaces only what follows the last ":" of a URL.
    assert.deepEqual(await bash(`osmo switch ${url.slice(0, url.lastIndexOf(':') + 1)}`), [url.slice(url.lastIndexOf(':') + 1)]);
    for (const cmd of ['token delete', 'token rm', 'token roles', 'token rotate']) assert.deepEqual((await bash(`osmo ${cmd} `)).sort(), ['ci-deploy', 'laptop', 'tab-login'], cmd);
    assert.deepEqual((await bash('osmo token delete ', { real: true })).sort(), ['ci-deploy', 'laptop', 'tab-login'], 'the real bin/osmo');
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
t osmo switch ''; t osmo logout ''; t osmo token delete ''
PATH="$2" OSMO_CONFIG_DIR="$3" t osmo token revoke ''`;
    const real = osmoEnv({ real: true });
    const out = (await run('zsh', ['-f', '-c', program, 'zsh', scripts.zsh, real.PATH!, user.dir])).trimEnd().split('\n');
    assert.equal(out[0], server().url);
    assert.equal(out[1], server().url);
    assert.deepEqual(out[2]!.split(' ').sort(), ['ci-deploy', 'laptop', 'tab-login']);
    assert.deepEqual(out[3]!.split(' ').sort(), ['ci-deploy', 'laptop', 'tab-login'], 'the real bin/osmo');
  });

  it('fish: the same words', async (t) => {
    if (!has('fish')) return skipOrFail(t, 'fish is not installed');
    const words = async (line: string, osmo?: Osmo): Promise<string[]> =>
      (await run('fish', ['--no-config', '-c', `source $argv[1]; complete -C '${line}'`, scripts.fish], {}, osmo)).split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
    assert.deepEqual(await words('osmo switch '), [server().url]);
    assert.deepEqual(await words('osmo status '), [server().url]);
    assert.deepEqual(await words('osmo token rotate '), ['ci-deploy', 'laptop', 'tab-login']);
    assert.deepEqual(await words('osmo token remove '), ['ci-deploy', 'laptop', 'tab-login']);
    assert.deepEqual(await words('osmo token rotate ', { real: true }), ['ci-deploy', 'laptop', 'tab-login'], 'the real bin/osmo');
  });

  it('user IDs for user get, update and delete, for an administrator; nothing for a plain user', async (t) => {
    const admin = inProcessUser();
    await tokenLogin(server(), admin.osmo, 'admin@example.com', 'admin-tab');
    for (const id of ['svc-build', 'svc-deploy']) server().addUser(id, ['osmo-user']);
    await saveWords(admin.dir);
    const asAdmin = { wordsOf: admin.dir };
    for (const cmd of ['user get', 'user update', 'user delete']) {
      const words = await bash(`osmo ${cmd} svc-`, asAdmin);
      assert.deepEqual(words.sort(), ['svc-build', 'svc-deploy'], cmd);
    }
    // The service answers a plain user 403: completion stays silent.
    assert.deepEqual(await bash('osmo user get svc-'), []);
    if (!has('fish')) return skipOrFail(t, 'fish is not installed');
    const fish = await run('fish', ['--no-config', '-c', `source $argv[1]; complete -C 'osmo user get svc-'`, scripts.fish], {}, asAdmin);
    assert.deepEqual(fish.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort(), ['svc-build', 'svc-deploy']);
  });

  it('a service that does not answer: nothing offered, within about a second, no prompt and no error shown', async () => {
    server().fault({ route: LIST, delayMs: 5_000, times: 1 });
    const started = Date.now();
    assert.deepEqual(await bash('osmo token delete ', { real: true }), []);
    const took = Date.now() - started;
    assert.ok(took < 2_500, `took ${took} ms`);
    server().clearFaults();
  });

  it('not logged in, or an unknown source: nothing offered, exit 0', async () => {
    for (const [source, dir] of [['tokens', tempDir()], ['servers', tempDir()], ['nonsense', user.dir]] as const) {
      const res = await runInProcess(['__complete', source], dir);
      assert.equal(res.code, 0, `${source}: ${res.stderr}`);
      assert.equal(res.stdout, '', source);
    }
  });
});
