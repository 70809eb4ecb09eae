import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOsmo, tempDir } from './helpers/cli.js';
import { skipOrFail } from './helpers/unavailable.js';

/**
 * Sources the script in a child bash and calls the completion function the
 * way readline does: COMP_WORDS/COMP_CWORD set, COMPREPLY read back. Each
 * line typed is one case; the last word is the one being completed.
 */
function bashComplete(script: string, lines: string[][]): { registration: string; replies: string[][] } {
  const file = join(tempDir('osmo-completion-'), 'osmo.bash');
  writeFileSync(file, script);
  const calls = lines
    .map((words) => {
      const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
      return `COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
"$fn" osmo "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "REPLY:\${COMPREPLY[*]}"`;
    })
    .join('\n');
  const program = `set -u
source "$1"
registration="$(complete -p osmo)"
echo "$registration"
fn="$(sed -E 's/.* -F ([^ ]+) .*/\\1/' <<<"$registration")"
${calls}`;
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const [registration = '', ...rest] = out.trimEnd().split('\n');
  return { registration, replies: rest.map((l) => l.replace(/^REPLY:/, '').split(' ').filter(Boolean)) };
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Each shell's script from bin/osmo, made once for this file and checked where it is made. */
const scripts = new Map<string, Promise<string>>();
function script(shell: 'zsh' | 'fish'): Promise<string> {
  let made = scripts.get(shell);
  if (!made) {
    made = runOsmo(['completion', shell], tempDir()).then((res) => {
      assert.equal(res.code, 0, res.stderr);
      return res.stdout;
    });
    scripts.set(shell, made);
  }
  return made;
}

describe('osmo completion', () => {
  it('bash: the script registers a function; tok<TAB> and token <TAB> complete from the command tree', async () => {
    const res = await runOsmo(['completion', 'bash'], tempDir());
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    const { registration, replies } = bashComplete(res.stdout, [
      ['osmo', 'tok'],
      ['osmo', 'token', ''],
      ['osmo', 'token', 'l'],
      ['osmo', ''],
      ['osmo', '--debug', 'token', 'r'],
      ['osmo', 'login', '--method', ''],
      ['osmo', 'token', 'list', '-t', 'j'],
      ['osmo', 'token', 'set', 'my-token', '--'],
      ['osmo', 'completion', ''],
      ['osmo', 'token', 'set', 'my-token', '-e', ''],
      ['osmo', 'st'],
      ['osmo', 'status', '--'],
      ['osmo', 'logout', '--'],
      ['osmo', 'status', '-t', ''],
      ['osmo', 'user', ''],
      ['osmo', 'user', 'roles', ''],
      ['osmo', 'user', 'list', '-r', 'osmo-user', '--'],
      ['osmo', 'user', 'roles', 'add', 'svc', 'osmo-user', '-t', ''],
      ['osmo', 'user', 'delete', 'svc', '-'],
    ]);
    assert.match(registration, /^complete -F \S+ osmo$/);
    assert.deepEqual(replies[0], ['token']);
    assert.deepEqual(replies[1], ['set', 'rotate', 'list', 'roles', 'delete']);
    assert.deepEqual(replies[2], ['list']);
    assert.deepEqual(replies[3], ['login', 'logout', 'status', 'switch', 'token', 'user', 'whoami', 'print-token', 'api', 'completion', 'version']);
    assert.deepEqual(replies[4], ['rotate', 'roles']);
    assert.deepEqual(replies[5], ['pkce', 'code', 'password', 'token', 'dev']);
    assert.deepEqual(replies[6], ['json']);
    assert.deepEqual(replies[7], ['--expires-at', '--expires-in', '--description', '--user', '--roles', '--output-file', '--format-type', '--json', '--help', '--debug']);
    assert.deepEqual(replies[8], ['bash', 'zsh', 'fish']);
    assert.deepEqual(replies[9], [], 'a free-form value (a date) has nothing to offer');
    assert.deepEqual(replies[10], ['status']);
    assert.deepEqual(replies[11], ['--offline', '--format-type', '--json', '--help', '--debug']);
    assert.deepEqual(replies[12], ['--all', '--help', '--debug']);
    assert.deepEqual(replies[13], ['text', 'json']);
    assert.deepEqual(replies[14], ['list', 'create', 'get', 'update', 'delete', 'roles']);
    assert.deepEqual(replies[15], ['add', 'remove']);
    assert.deepEqual(replies[16], ['--id-prefix', '--roles', '--count', '--format-type', '--json', '--help', '--debug']);
    assert.deepEqual(replies[17], ['text', 'json']);
    assert.deepEqual(replies[18], ['-f', '--force', '-t', '--format-type', '--json', '-h', '--help', '--debug']);
  });

  it('zsh and fish: scripts generated from the same tree', async () => {
    const [zsh, fish] = await Promise.all([script('zsh'), script('fish')]);
    assert.match(zsh, /^#compdef osmo\n/);
    assert.match(zsh, /'osmo token'\) subs=\('set:Create a personal access token; it is shown once' 'rotate:/);
    assert.match(fish, /^complete -c osmo -n '__fish_seen_subcommand_from token; and not __fish_seen_subcommand_from set create new rotate list ls roles delete rm remove revoke' -a 'set'/m);
  });

  it('zsh: the completion function offers the right words (where zsh is installed)', async (t) => {
    if (!hasCommand('zsh')) return skipOrFail(t, 'zsh is not installed');
    const file = join(tempDir('osmo-completion-'), '_osmo');
    writeFileSync(file, await script('zsh'));
    // compsys itself needs a terminal; stand-ins for its builtins print what they are given.
    const program = `compdef() { :; }
_describe() { local -a arr; arr=("\${(@P)\${@[-1]}}"); print -r -- \${arr%%:*}; }
compadd() { shift; print -r -- "$*"; }
_files() { print FILES; }
source "$1"
t() { words=("$@"); CURRENT=\${#words}; PREFIX="\${words[-1]}"; _osmo; }
t osmo token ''; t osmo --debug token ''; t osmo login --method ''; t osmo login --token-file ''; t osmo whoami -t ''; t osmo status -t ''; t osmo s; t osmo user roles ''`;
    const out = execFileSync('zsh', ['-f', '-c', program, 'zsh', file], { encoding: 'utf8' });
    assert.deepEqual(out.trimEnd().split('\n'), ['set rotate list roles delete', 'set rotate list roles delete', 'pkce code password token dev', 'FILES', 'text json', 'text json', 'login logout status switch token user whoami print-token api completion version', 'add remove']);
  });

  it('fish: complete -C offers the right words (where fish is installed)', async (t) => {
    if (!hasCommand('fish')) return skipOrFail(t, 'fish is not installed');
    const file = join(tempDir('osmo-completion-'), 'osmo.fish');
    writeFileSync(file, await script('fish'));
    const words = (line: string): string[] =>
      execFileSync('fish', ['--no-config', '-c', `source $argv[1]; complete -C '${line}'`, file], { encoding: 'utf8' })
        .trimEnd().split('\n').map((l) => l.split('\t')[0]!);
    assert.deepEqual(words('osmo tok'), ['token']);
    assert.deepEqual(words('osmo sw'), ['switch']);
    assert.deepEqual(words('osmo logout --a'), ['--all']);
    assert.deepEqual(words('osmo token ').sort(), ['delete', 'list', 'roles', 'rotate', 'set']);
    assert.deepEqual(words('osmo login --method ').sort(), ['code', 'dev', 'password', 'pkce', 'token']);
    assert.deepEqual(words('osmo user ').sort(), ['create', 'delete', 'get', 'list', 'roles', 'update']);
    assert.deepEqual(words('osmo user roles ').sort(), ['add', 'remove']);
    assert.deepEqual(words('osmo user delete svc --f'), ['--force', '--format-type']);
  });

  it('an unknown shell exits 2 and lists the choices', async () => {
    const res = await runOsmo(['completion', 'powershell'], tempDir());
    assert.equal(res.code, 2);
    assert.match(res.stderr, /bash, zsh, fish/);
  });
});
