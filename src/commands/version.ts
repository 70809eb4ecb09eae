import { Command } from 'commander';
import { VERSION } from '../context.js';
import { println, type IO } from '../io.js';

/**
 * `osmo version`, as gh and docker have it, and `osmo --version` / `osmo -v`
 * as the sole argument (bin/osmo answers those three before loading the
 * bundle). Anywhere else `-v` is an unknown option: commander's global
 * `.version()` would take it after any command, even as an option's value,
 * and swallow the command.
 */
export function versionCommand(io: IO): Command {
  return new Command('version')
    .description('Print the version (also `osmo --version` or `osmo -v`, alone)')
    .addHelpText('after', '\nExamples:\n  $ osmo version\n  $ osmo --version')
    .action(() => println(io.stdout, VERSION));
}

/** `osmo --version` or `osmo -v`, and nothing else. */
export function asksVersion(argv: string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v');
}
