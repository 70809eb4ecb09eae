import type { Command } from 'commander';
import type { IO } from './io.js';
import { buildProgram } from './program.js';
import { HELP_WIDTH } from './command-setup.js';
import { HELP_TOPICS } from './help-topics.js';
import { wrapHelp } from './help-wrap.js';

/**
 * Every command's --help page, keyed by its path ('' for osmo itself, then
 * 'token', 'token list', …, and 'help TOPIC'), exactly as `osmo PATH --help` prints it on a
 * pipe or a terminal at least 80 columns wide. `npm run build` writes them to
 * dist/help.json so that bin/osmo can print a page without loading the
 * bundle; test/help.test.ts checks every page against the live one.
 */
export function helpPages(): Record<string, string> {
  let page = '';
  const capture = { write: (text: string) => ((page += text), true) } as unknown as NodeJS.WritableStream;
  const io: IO = { stdout: capture, stderr: capture, stdin: process.stdin, stdinIsTTY: false, stderrIsTTY: false };
  const program = buildProgram(() => {
    throw new Error('a help page needs no context');
  }, io);
  const pages: Record<string, string> = {};
  const walk = (cmd: Command, path: string[]): void => {
    page = '';
    cmd.outputHelp();
    pages[path.join(' ')] = page;
    // Hidden commands (`__complete`, for the completion scripts) have no page.
    for (const sub of cmd.createHelp().visibleCommands(cmd)) if (sub.name() !== 'help') walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  // `osmo help environment`, `osmo help exit-codes`: under keys no command can have.
  for (const [name, topic] of Object.entries(HELP_TOPICS)) pages[`help ${name}`] = wrapHelp(topic.text, HELP_WIDTH);
  return pages;
}
