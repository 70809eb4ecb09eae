import { Command, CommanderError } from 'commander';
import { Context, VERSION, type Injected } from './context.js';
import { debugFromEnv } from './debug-env.js';
import { ExitCode, InterruptedError, OsmoError } from './errors.js';
import { endBySignal } from './interrupt.js';
import { processIO, println, type IO } from './io.js';
import { safeJson, terminalSafe } from './util/display-text.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { statusCommand } from './commands/status.js';
import { switchCommand } from './commands/switch.js';
import { tokenCommand } from './commands/token.js';
import { userCommand } from './commands/user.js';
import { whoamiCommand } from './commands/whoami.js';
import { printTokenCommand } from './commands/print-token.js';
import { apiCommand } from './commands/api.js';
import { completionCommand } from './commands/completion.js';
import { asksVersion, versionCommand } from './commands/version.js';
import { completeCommand } from './commands/complete.js';
import { helpCommand } from './commands/help.js';
import { configureTree } from './command-setup.js';
import { HELP_TOPICS } from './help-topics.js';

/** `osmo --help` names the help topics and the words people reach for first (test/discover.test.ts). */
const HELP_TOPICS_NOTE = [
  '',
  'More help: osmo help COMMAND…, and the topics',
  ...Object.entries(HELP_TOPICS).map(([name, t]) => `  osmo help ${name.padEnd(12)} ${t.summary}`),
  '',
  'Aliases: token create and token new (token set), token ls (token list),',
  'token rm, token remove and token revoke (token delete), user ls (user list);',
  '--json (-t json).',
].join('\n');

/** Builds the command tree; each command's work is loaded only when it runs. */
export function buildProgram(getContext: () => Context, io: IO): Command {
  const program = new Command('osmo')
    .description('Log in to an OSMO service and manage personal access tokens')
    .option('--debug', 'log each HTTP request on stderr, with secrets redacted (also OSMO_DEBUG=1)')
    .showSuggestionAfterError(true)
    .addCommand(loginCommand(getContext))
    .addCommand(logoutCommand(getContext))
    .addCommand(statusCommand(getContext))
    .addCommand(switchCommand(getContext))
    .addCommand(tokenCommand(getContext))
    .addCommand(userCommand(getContext))
    .addCommand(whoamiCommand(getContext))
    .addCommand(printTokenCommand(getContext))
    .addCommand(apiCommand(getContext))
    .addCommand(completionCommand(getContext))
    .addCommand(versionCommand(io))
    .addCommand(completeCommand(getContext), { hidden: true })
    .helpCommand(false)
    .addCommand(helpCommand())
    .addHelpText('after', `${HELP_TOPICS_NOTE}\n\nExamples:\n  $ osmo login https://osmo.example.com --method token --token-file ~/.osmo-token\n  $ osmo token set my-token --expires-at 2027-01-01\n  $ osmo token list\n  $ osmo status\n  $ osmo whoami\n  $ osmo api /api/auth/access_token\n  $ curl -H "Authorization: Bearer $(osmo print-token)" https://osmo.example.com/api/auth/access_token`);
  configureTree(program, io);
  return program;
}

/**
 * The one exit point: maps typed errors to SPEC.md's exit codes. `injected`
 * (a clock and its sleep, a keychain) is for tests that run osmo in-process (test/helpers/in-process.ts).
 */
export async function main(argv: string[], io: IO = processIO(), env: NodeJS.ProcessEnv = process.env, injected: Injected = {}): Promise<number> {
  let context: Context | undefined;
  const program = buildProgram(() => (context ??= new Context(io, env, { ...injected, debug: Boolean(program.opts().debug) })), io);
  let interrupted: InterruptedError | undefined;
  try {
    if (asksVersion(argv)) {
      println(io.stdout, VERSION);
      return ExitCode.ok;
    }
    // `osmo` alone: the overview, as `gh` and `docker` print it (bin/osmo prints it ready-made).
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    // Ctrl-C at a prompt: not an error, and it ends the process as the signal would.
    if (err instanceof InterruptedError) interrupted = err;
    return reportError(err, io, argv, program, context?.debug ?? (argv.includes('--debug') || debugFromEnv(env)));
  } finally {
    await context?.close();
    if (interrupted) endBySignal(interrupted.signal, { fromKeyboard: interrupted.fromKeyboard });
  }
}

function reportError(err: unknown, io: IO, argv: string[], program: Command, debug: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, successfully.
    if (err.exitCode === 0) return ExitCode.ok;
    // A group without its subcommand (`osmo token`) has just printed its help.
    if (err.code === 'commander.help') return ExitCode.user;
    println(io.stderr, `Run \`${knownCommandPath(program, argv).join(' ')} --help\` for usage.`);
    return ExitCode.user;
  }
  if (err instanceof InterruptedError) return err.exitCode;
  const json = wantsJson(argv);
  if (err instanceof OsmoError) {
    if (json) println(io.stderr, safeJson({ message: err.message, code: err.exitCode, ...(err.hint ? { hint: err.hint } : {}) }));
    // Messages may quote a server; whatever was missed upstream cannot act on the terminal here.
    else println(io.stderr, `Error: ${terminalSafe(err.message)}${err.hint ? `\n  ${terminalSafe(err.hint)}` : ''}`);
    if (debug && err.stack) println(io.stderr, safeStack(err.stack));
    return err.exitCode;
  }
  // A bug, not a user or server problem: say so plainly; the stack only on request.
  const message = err instanceof Error ? err.message : String(err);
  println(io.stderr, json ? safeJson({ message: `unexpected error: ${message}`, code: ExitCode.server }) : `Error: unexpected error: ${terminalSafe(message)}`);
  if (debug && err instanceof Error && err.stack) println(io.stderr, safeStack(err.stack));
  else if (!json) println(io.stderr, '  run again with --debug for details, and report it if it persists');
  return ExitCode.server;
}

/** A stack starts with the message, which may quote a server: each line made safe, the lines kept. */
function safeStack(stack: string): string {
  return stack.split('\n').map(terminalSafe).join('\n');
}

/** The longest run of real command names at the start of argv, for the help hint. */
function knownCommandPath(program: Command, argv: string[]): string[] {
  const path = ['osmo'];
  let cmd = program;
  for (const word of argv) {
    const next = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) break;
    path.push(next.name());
    cmd = next;
  }
  return path;
}

function wantsJson(argv: string[]): boolean {
  return argv.some((a, i) => a === '--json' || a === '--format-type=json' || a === '-tjson' || ((a === '-t' || a === '--format-type') && argv[i + 1] === 'json'));
}
