import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../src/program.js';
import { processIO } from '../src/io.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baseEnv, runOsmo, tempDir } from './helpers/cli.js';
import { havePty, runOsmoInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';

const BUNDLE = fileURLToPath(new URL('../dist/osmo.cjs', import.meta.url));
const PAGES = fileURLToPath(new URL('../dist/help.json', import.meta.url));

/** `osmo PATH --help` from the command tree itself: the bundle run directly, without bin/osmo's ready-made pages. */
function liveHelp(path: string[]): string {
  const res = spawnSync(process.execPath, [BUNDLE, ...path, '--help'], { env: baseEnv(tempDir()), encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

/** Every command path in the real tree, so a new command cannot skip its examples. */
function commandPaths(): string[][] {
  const program = buildProgram(() => {
    throw new Error('help needs no context');
  }, processIO()) as Command;
  const walk = (cmd: Command, path: string[]): string[][] => [path, ...cmd.createHelp().visibleCommands(cmd).filter((c) => cmd.commands.includes(c)).flatMap((c) => walk(c, [...path, c.name()]))];
  return walk(program, []);
}

describe('help that teaches', () => {
  it('every command\'s --help ends with Examples of osmo command lines', async () => {
    const paths = commandPaths();
    assert.ok(paths.length >= 12, `${paths.length} commands`);
    for (const path of paths) {
      const res = await runOsmo([...path, '--help'], tempDir(), { env: { NO_COLOR: undefined } });
      const name = ['osmo', ...path].join(' ');
      assert.equal(res.code, 0, `${name}: ${res.stderr}`);
      const examples = res.stdout.trimEnd().split('\nExamples:\n')[1];
      assert.ok(examples, `${name} --help has no Examples section at its end`);
      // A command longer than the page continues on the next line after ` \` (src/help-wrap.ts).
      const lines = examples.replace(/ \\\n {6}/g, ' ').split('\n');
      assert.ok(lines.every((l) => /^ {2}\$ \S/.test(l)), `${name}: every example line is a command:\n${examples}`);
      assert.ok(lines.some((l) => l.includes(`$ osmo ${path.join(' ')}`.trimEnd()) || l.includes('$(osmo')), `${name}: an example uses the command itself`);
      assert.ok(!res.stdout.includes('\u001b['), `${name}: no colour when stdout is not a terminal`);
    }
  });

  it('bin/osmo prints the ready-made page of every command, the same as the command tree prints it', async () => {
    const pages = JSON.parse(readFileSync(PAGES, 'utf8')) as Record<string, string>;
    const paths = commandPaths().filter((p) => p[p.length - 1] !== 'help');
    const topics = ['help environment', 'help exit-codes'];
    assert.deepEqual(Object.keys(pages).sort(), [...paths.map((p) => p.join(' ')), ...topics].sort(), 'a page for every command and help topic, and no other');
    for (const topic of topics) {
      const res = spawnSync(process.execPath, [BUNDLE, ...topic.split(' ')], { env: baseEnv(tempDir()), encoding: 'utf8' });
      assert.equal(pages[topic], res.stdout, `dist/help.json is stale for osmo ${topic}`);
    }
    for (const path of paths) {
      const live = liveHelp(path);
      assert.equal(pages[path.join(' ')], live, `dist/help.json is stale for osmo ${path.join(' ')}: run npm run build`);
      for (const flag of ['--help', '-h']) {
        const res = await runOsmo([...path, flag], tempDir(), { env: { NO_COLOR: undefined } });
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.stdout, live, `osmo ${path.join(' ')} ${flag}`);
      }
    }
  });

  it('on a terminal, help is wrapped at 80 columns, or at the terminal width when that is narrower', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const page = liveHelp(['login']);
    assert.ok(page.split('\n').some((l) => l.length > 70), 'the login page has lines that a narrow terminal must wrap');
    for (const columns of [80, 200]) {
      const res = await runOsmoInPty(['login', '--help'], tempDir(), columns);
      assert.equal(res.code, 0, res.output);
      assert.equal(res.output, page, `${columns} columns`);
    }
    const narrow = await runOsmoInPty(['login', '--help'], tempDir(), 72);
    assert.equal(narrow.code, 0, narrow.output);
    assert.notEqual(narrow.output, page);
    // Commander wraps what it lays out, the arguments and options, to the terminal.
    const options = narrow.output.split('\nOptions:\n')[1]!.split('\n\n')[0]!.split('\n');
    assert.ok(options.length > 20 && options.every((l) => l.length <= 72), narrow.output);
  });

  it('a mistyped command suggests the right one', async () => {
    const res = await runOsmo(['tokn', 'list'], tempDir());
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown command 'tokn'\n\(Did you mean token\?\)\nRun `osmo --help` for usage\.\n/);
  });
});
