import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../src/program.js';
import { processIO } from '../src/io.js';
import { runOsmo, tempDir } from './helpers/cli.js';

/** Every command path in the real tree, so a new command cannot skip its examples. */
function commandPaths(): string[][] {
  const program = buildProgram(() => {
    throw new Error('help needs no context');
  }, processIO()) as Command;
  const walk = (cmd: Command, path: string[]): string[][] => [path, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
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
      const lines = examples.split('\n');
      assert.ok(lines.every((l) => /^ {2}\$ \S/.test(l)), `${name}: every example line is a command:\n${examples}`);
      assert.ok(lines.some((l) => l.includes(`$ osmo ${path.join(' ')}`.trimEnd()) || l.includes('$(osmo')), `${name}: an example uses the command itself`);
      assert.ok(!res.stdout.includes('\u001b['), `${name}: no colour when stdout is not a terminal`);
    }
  });

  it('a mistyped command suggests the right one', async () => {
    const res = await runOsmo(['tokn', 'list'], tempDir());
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown command 'tokn'\n\(Did you mean token\?\)\nRun `osmo --help` for usage\.\n/);
  });
});
