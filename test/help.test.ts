import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../src/program.js';
import { processIO } from '../src/io.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runOsmo, tempDir } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { runOnTerminal } from './helpers/in-process-terminal.js';
import { havePty, runOsmoInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';

// The pages and their wrapping are the command tree's: tested in-process
// through main(), on a pipe or on a stand-in terminal of a given width. What
// bin/osmo adds, printing dist/help.json ready-made before the bundle loads
// and handing a narrow terminal to the bundle, is tested through bin/osmo:
// every page once (--help and -h in turn), and two real pseudo-terminals.
const PAGES = fileURLToPath(new URL('../dist/help.json', import.meta.url));

/** `osmo ARGS` in-process, stdout a terminal of `columns` columns (or a pipe): exit code and stdout. */
async function inProcessOn(args: string[], columns?: number): Promise<{ code: number; stdout: string }> {
  const res = await runOnTerminal(args, columns, { env: { NO_COLOR: undefined } });
  assert.equal(res.stderr, '', `osmo ${args.join(' ')} wrote to stderr`);
  return res;
}

/** `osmo PATH --help` from the command tree itself, as the bundle prints it without bin/osmo's ready-made pages. */
async function liveHelp(path: string[], columns?: number): Promise<string> {
  const res = await inProcessOn([...path, '--help'], columns);
  assert.equal(res.code, 0);
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
      const page = await liveHelp(path);
      const name = ['osmo', ...path].join(' ');
      const examples = page.trimEnd().split('\nExamples:\n')[1];
      assert.ok(examples, `${name} --help has no Examples section at its end`);
      // A command longer than the page continues on the next line after ` \` (src/help-wrap.ts).
      const lines = examples.replace(/ \\\n {6}/g, ' ').split('\n');
      assert.ok(lines.every((l) => /^ {2}\$ \S/.test(l)), `${name}: every example line is a command:\n${examples}`);
      assert.ok(lines.some((l) => l.includes(`$ osmo ${path.join(' ')}`.trimEnd()) || l.includes('$(osmo')), `${name}: an example uses the command itself`);
      assert.ok(!page.includes('\u001b['), `${name}: no colour when stdout is not a terminal`);
    }
  });

  it('bin/osmo prints the ready-made page of every command, the same as the command tree prints it', async () => {
    const pages = JSON.parse(readFileSync(PAGES, 'utf8')) as Record<string, string>;
    const paths = commandPaths().filter((p) => p[p.length - 1] !== 'help');
    const topics = ['help environment', 'help exit-codes'];
    assert.deepEqual(Object.keys(pages).sort(), [...paths.map((p) => p.join(' ')), ...topics].sort(), 'a page for every command and help topic, and no other');
    for (const topic of topics) {
      const res = await inProcessOn(topic.split(' '));
      assert.equal(res.code, 0);
      assert.equal(pages[topic], res.stdout, `dist/help.json is stale for osmo ${topic}`);
    }
    const live = new Map<string, string>();
    for (const path of paths) {
      live.set(path.join(' '), await liveHelp(path));
      assert.equal(pages[path.join(' ')], live.get(path.join(' ')), `dist/help.json is stale for osmo ${path.join(' ')}: run npm run build`);
    }
    // The real bin/osmo for every page, a process each, run side by side (each reads one file and
    // writes it); the pages take --help and -h in turn, so each flag is seen on half of them.
    const runs = paths.map((path, i) => ({ path, flag: i % 2 === 0 ? '--help' : '-h' }));
    assert.ok(runs.filter((r) => r.flag === '-h').length >= 10, 'both flags on many pages');
    for (let i = 0; i < runs.length; i += 8) {
      await Promise.all(runs.slice(i, i + 8).map(async ({ path, flag }) => {
        const res = await runOsmo([...path, flag], tempDir(), { env: { NO_COLOR: undefined } });
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.stdout, live.get(path.join(' ')), `osmo ${path.join(' ')} ${flag}`);
      }));
    }
  });

  it('help is wrapped at 80 columns, or at the terminal width when that is narrower (the command tree, in-process)', async () => {
    const page = await liveHelp(['login']);
    assert.ok(page.split('\n').some((l) => l.length > 70), 'the login page has lines that a narrow terminal must wrap');
    for (const columns of [80, 120, 200]) assert.equal(await liveHelp(['login'], columns), page, `${columns} columns`);
    for (const columns of [72, 60]) {
      const narrow = await liveHelp(['login'], columns);
      assert.notEqual(narrow, page, `${columns} columns`);
      // Commander wraps what it lays out, the arguments and options, to the terminal.
      const options = narrow.split('\nOptions:\n')[1]!.split('\n\n')[0]!.split('\n');
      assert.ok(options.length > 20 && options.every((l) => l.length <= columns), `${columns} columns:\n${narrow}`);
    }
  });

  it('on a real terminal, bin/osmo prints the 80-column page when it is wider, the command tree\'s narrower page when it is narrower', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const [page, narrowPage] = await Promise.all([liveHelp(['login']), liveHelp(['login'], 72)]);
    const [wide, narrow] = await Promise.all([runOsmoInPty(['login', '--help'], tempDir(), 200), runOsmoInPty(['login', '--help'], tempDir(), 72)]);
    assert.equal(wide.code, 0, wide.output);
    assert.equal(wide.output, page, '200 columns');
    assert.equal(narrow.code, 0, narrow.output);
    assert.equal(narrow.output, narrowPage, '72 columns: the bundle lays the page out for the terminal');
    const options = narrow.output.split('\nOptions:\n')[1]!.split('\n\n')[0]!.split('\n');
    assert.ok(options.length > 20 && options.every((l) => l.length <= 72), narrow.output);
  });

  it('a mistyped command suggests the right one', async () => {
    const res = await runInProcess(['tokn', 'list'], tempDir());
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown command 'tokn'\n\(Did you mean token\?\)\nRun `osmo --help` for usage\.\n/);
  });
});
