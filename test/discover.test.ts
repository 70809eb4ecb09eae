// What a new user tries before reading anything: words from gh and docker,
// `osmo` alone, `osmo help COMMAND…`, help topics, and help at any width.
// In-process through main() (test/helpers/in-process.ts), a stand-in terminal
// of a given width for the wrapping; through bin/osmo the forms bin/osmo
// answers itself (`osmo` alone, `osmo help …`) and one real pseudo-terminal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { futureDate, tokenLogin, useServer } from './helpers/fixtures.js';
import { runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { inProcessUser, runInProcess } from './helpers/in-process.js';
import { runOnTerminal } from './helpers/in-process-terminal.js';
import { havePty, runOsmoInPty } from './helpers/pty.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { skipOrFail } from './helpers/unavailable.js';

const server = useServer();
const osmoIn = (args: string[]): Promise<RunResult> => runInProcess(args, tempDir());

describe('words people already use', () => {
  it('token create/new, ls, rm/remove/revoke and --json work as set, list, delete and -t json', async () => {
    const { osmo } = inProcessUser();
    await tokenLogin(server(), osmo, 'alias@example.com', 'alias-login');
    for (const [i, verb] of ['create', 'new'].entries()) {
      const res = await osmo(['token', verb, `t${i}`, '-e', futureDate(5), '--json']);
      assert.equal(res.code, 0, res.stderr);
      assert.ok(JSON.parse(res.stdout).token, `token ${verb} --json prints the token as JSON`);
    }
    const ls = await osmo(['token', 'ls', '--json']);
    assert.deepEqual((JSON.parse(ls.stdout) as Array<{ token_name: string }>).map((t) => t.token_name).sort(), ['alias-login', 't0', 't1']);
    for (const verb of ['rm', 'remove', 'revoke']) {
      await osmo(['token', 'set', `gone-${verb}`, '-e', futureDate(5)]);
      const res = await osmo(['token', verb, `gone-${verb}`]);
      assert.equal(res.stdout, `Access token gone-${verb} deleted\n`, res.stderr);
    }
  });

  it('--json also makes errors one JSON object', async () => {
    const res = await osmoIn(['token', 'list', '--json']);
    assert.equal(res.code, 2);
    assert.equal(JSON.parse(res.stderr).code, 2);
  });

  it('an unknown word never gets a command that deletes or replaces something as its suggestion', async () => {
    const dir = tempDir();
    for (const word of ['rotat', 'revok', 'delet', 'remov', 'rn']) {
      const res = await runInProcess(['token', word, 'x'], dir);
      assertCleanFailure(res, { code: 2, message: new RegExp(`^unknown command '${word}'$`) });
      assert.doesNotMatch(res.stderr, /Did you mean/, word);
    }
    assert.doesNotMatch((await runInProcess(['logou'], dir)).stderr, /Did you mean logout/);
    assert.match((await runInProcess(['token', 'creat'], dir)).stderr, /\(Did you mean create\?\)/);
    assert.match((await runInProcess(['token', 'lst'], dir)).stderr, /\(Did you mean (list|ls|one of list, ls)\?\)/);
  });

  it('help lists the aliases, and osmo --help the help topics', async () => {
    const token = await osmoIn(['token', '--help']);
    assert.match(token.stdout, /set \[options\] \[name\] +Create a personal access token; it is shown once\n +\(also: create, new\)/);
    assert.match(token.stdout, /\(also: rm, remove, revoke\)/);
    assert.match(token.stdout, /\(also: ls\)/);
    assert.match((await osmoIn(['token', 'list', '--help'])).stdout, /--json +same as -t json/);
    const top = await osmoIn(['--help']);
    assert.match(top.stdout, /osmo help environment +every environment variable osmo reads, with its default/);
    assert.match(top.stdout, /osmo help exit-codes/);
    assert.match(top.stdout, /Aliases: token create and token new \(token set\)/);
  });
});

describe('help without the README', () => {
  it('osmo alone prints the overview on stdout and exits 0, the page of osmo --help', async () => {
    const overview = (await osmoIn(['--help'])).stdout;
    // In-process (the command tree) and through bin/osmo (its ready-made page), at once.
    for (const res of await Promise.all([osmoIn([]), runOsmo([], tempDir())])) {
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '');
      assert.equal(res.stdout, overview);
    }
  });

  it('osmo help token set shows the page of token set, also through an alias', async () => {
    const page = (await osmoIn(['token', 'set', '--help'])).stdout;
    assert.match(page, /^Usage: osmo token set/);
    // bin/osmo answers `help token set` from its pages and hands `help token create` and `help token nope` to the bundle.
    const forms = [['help', 'token', 'set'], ['help', 'token', 'create'], ['help', 'token', 'nope']];
    const [inProcess, viaBin] = await Promise.all([Promise.all(forms.map(osmoIn)), Promise.all(forms.map((args) => runOsmo(args, tempDir())))]);
    for (const [set, create, nope] of [inProcess, viaBin]) {
      assert.equal(set!.stdout, page);
      assert.equal(create!.stdout, page);
      assertCleanFailure(nope!, { code: 2, message: /^no command or help topic "token nope"$/ });
    }
  });

  it('osmo help environment lists every variable the code reads, with a default', async () => {
    const [res, viaBin] = await Promise.all([osmoIn(['help', 'environment']), runOsmo(['help', 'environment'], tempDir())]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(viaBin.code, 0, viaBin.stderr);
    assert.equal(viaBin.stdout, res.stdout, 'bin/osmo prints the same page');
    const src = fileURLToPath(new URL('../src', import.meta.url));
    const bin = fileURLToPath(new URL('../bin', import.meta.url));
    const { execFileSync } = await import('node:child_process');
    const reads = execFileSync('grep', ['-rhoE', String.raw`env(\.|\[')[A-Z][A-Z0-9_]+`, src, bin], { encoding: 'utf8' });
    const names = new Set(reads.split('\n').filter(Boolean).map((m) => m.replace(/^env(\.|\[')/, '')));
    assert.ok(names.size >= 15, [...names].join(' '));
    for (const name of names) assert.match(res.stdout, new RegExp(`\\b${name}\\b`), `${name} is read by osmo but not listed`);
    const entries = res.stdout.split('\n\nExamples:')[0]!.split(/\n(?= {2}[A-Z])/).slice(1);
    for (const entry of entries) assert.match(entry, /Default:\s|Respected/, entry);
  });

  it('osmo help exit-codes lists 0, 2, 10, 75 and 130', async () => {
    const res = await osmoIn(['help', 'exit-codes']);
    for (const code of ['0', '2', '10', '75', '130']) assert.match(res.stdout, new RegExp(`^ {2}${code} +\\S`, 'm'));
  });

  it('--method says what each value is', async () => {
    const page = (await osmoIn(['login', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(page, /pkce = a browser on this machine, code = a device code you approve in a browser anywhere/);
    assert.match(page, /password = a user name and password, token = a personal access token, dev = /);
  });

  it('help wraps at the terminal width at word boundaries, whatever the width', async () => {
    const words = new Set((await osmoIn(['token', 'rotate', '--help'])).stdout.split(/\s+/));
    for (const columns of [40, 60, 79, 100]) {
      for (const args of [['token', 'rotate', '--help'], ['help', 'environment'], ['token', 'set', '--help']]) {
        const { stdout: output, code, stderr } = await runOnTerminal(args, columns);
        assert.equal(code, 0, stderr);
        for (const line of output.split('\n')) assert.ok(line.length <= Math.min(columns, 80), `${columns} columns, ${args.join(' ')}: ${JSON.stringify(line)}`);
        if (args[1] === 'rotate') {
          // Every word of the page is whole (a cut word would be new text).
          const seen = output.split(/\s+/).filter((w) => w && w !== '\\');
          for (const w of seen) assert.ok(words.has(w), `${columns} columns: "${w}" is not a word of the page`);
        }
      }
    }
  });

  it('on a real narrow terminal, bin/osmo prints a help topic wrapped to it', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with pty is not available');
    const { output, code } = await runOsmoInPty(['help', 'environment'], tempDir(), 40);
    assert.equal(code, 0, output);
    assert.equal(output, (await runOnTerminal(['help', 'environment'], 40)).stdout);
    for (const line of output.split('\n')) assert.ok(line.length <= 40, JSON.stringify(line));
  });

  it('ready-made pages answer osmo, osmo help COMMAND and the topics', () => {
    const pages = JSON.parse(readFileSync(fileURLToPath(new URL('../dist/help.json', import.meta.url)), 'utf8')) as Record<string, string>;
    assert.ok(pages['help environment'] && pages['help exit-codes'] && pages['token set'] && pages['']);
  });
});
