import { Option, type Command } from 'commander';
import type { IO } from './io.js';
import { wrapHelp } from './help-wrap.js';
import { safeSuggestion } from './suggest.js';

/**
 * Help is wrapped at 80 columns, or at a terminal's width where that is
 * narrower: so every pipe and every wide terminal gets the same pages, and
 * bin/osmo can print them ready-made from dist/help.json (src/help-pages.ts).
 */
export const HELP_WIDTH = 80;

export function helpWidth(stream: NodeJS.WritableStream): number {
  const { isTTY, columns } = stream as { isTTY?: boolean; columns?: number };
  return isTTY && columns ? Math.min(columns, HELP_WIDTH) : HELP_WIDTH;
}

/**
 * What every command of the tree shares: output through the injected IO,
 * help wrapped at word boundaries, aliases listed, `--json` wherever
 * `-t/--format-type` is, and suggestions that never name a destructive command.
 */
export function configureTree(program: Command, io: IO): void {
  // Help pages go to stdout (or, for a mistake, stderr); only help is re-wrapped on stderr.
  let helping = false;
  program.on('beforeAllHelp', () => (helping = true));
  program.on('afterAllHelp', () => (helping = false));
  const configure = (cmd: Command): void => {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(wrapHelp(s, helpWidth(io.stdout))),
      writeErr: (s) => io.stderr.write(helping ? wrapHelp(s, helpWidth(io.stderr)) : s),
      outputError: (s, write) => write(safeSuggestion(cmd, s).replace(/^error: /, 'Error: ')),
      getOutHelpWidth: () => helpWidth(io.stdout),
      getErrHelpWidth: () => helpWidth(io.stderr),
    });
    cmd.configureHelp({ subcommandTerm, subcommandDescription });
    if (cmd.options.some((o) => o.long === '--format-type') && !cmd.options.some((o) => o.long === '--json')) {
      cmd.addOption(new Option('--json', 'same as -t json').implies({ formatType: 'json' }));
    }
    cmd.commands.forEach(configure);
  };
  configure(program);
}

/** A command's name and arguments; its aliases go in its description, every one of them (commander shows the first). */
function subcommandTerm(cmd: Command): string {
  const args = cmd.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return [cmd.name(), ...(cmd.options.length ? ['[options]'] : []), ...args].join(' ');
}

function subcommandDescription(cmd: Command): string {
  const aliases = cmd.aliases();
  return aliases.length ? `${cmd.description()} (also: ${aliases.join(', ')})` : cmd.description();
}
