import { Command } from 'commander';
import type { Context } from '../context.js';
import { tokenHints } from '../tokens/error-hints.js';
import { onInterrupt } from '../interrupt.js';
import { println } from '../io.js';
import { checkedOutputFile, formatTypeOption, printJson, printNewToken, type FormatType } from '../output.js';
import type { RotationPlan, RotationResult } from '../tokens/rotate.js';
import type { shellCommand as ShellCommandFn } from '../util/shell-words.js';
import { terminalSafe } from '../util/display-text.js';
import type { OutputFile } from '../util/output-file.js';
import { resolveExpiry, validateTokenName, validateUser } from '../validate.js';

type ShellCommand = typeof ShellCommandFn;

export interface TokenRotateOptions extends RotationPlan {
  outputFile?: OutputFile;
  formatType: FormatType;
}

interface RawFlags {
  newName?: string;
  expiresAt?: string;
  expiresIn?: string;
  user?: string;
  outputFile?: string;
  formatType: FormatType;
}

export function tokenRotateCommand(getContext: () => Context): Command {
  return new Command('rotate')
    .description('Replace a personal access token by a new one with the same roles and description, and delete the old one')
    .argument('<name>', 'the token to replace')
    .option('--new-name <name>', 'name the new token NAME: it is created before the old one is deleted')
    .option('-e, --expires-at <date>', 'expiry of the new token, YYYY-MM-DD (UTC); default 31 days from today')
    .option('--expires-in <duration>', 'expiry of the new token relative to today (UTC): 30d, 12w, 6m, 1y')
    .option('-u, --user <user>', 'rotate a token of this user (admins only)')
    .option('--output-file <file>', 'write the new token (and a newline) to FILE, mode 0600, replacing it atomically')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nThe login that uses the token being rotated switches to the new one.\n\nExamples:\n  $ osmo token rotate ci-token --expires-in 30d --output-file ~/.osmo-token\n  $ osmo token rotate ci-token --new-name ci-token-2027\n  $ osmo token rotate ci-token -t json | jq -r .token\n  $ osmo token rotate ci-token --user user@example.com',
    )
    .action(async (name: string, flags: RawFlags) =>
      runTokenRotate(
        {
          name: validateTokenName(name),
          newName: flags.newName === undefined ? name : validateTokenName(flags.newName),
          user: validateUser(flags.user),
          expiresAt: await resolveExpiry(flags, new Date()),
          outputFile: await checkedOutputFile(flags.outputFile),
          formatType: flags.formatType,
        },
        getContext(),
      ),
    );
}

export async function runTokenRotate(opts: TokenRotateOptions, ctx: Context): Promise<void> {
  const target = await ctx.target();
  const [{ rotateToken }, { shellCommand }, { writeTokenFile }, { keepNewPat, rotatesLoginToken, switchLogin }] = await Promise.all([
    import('../tokens/rotate.js'),
    import('../util/shell-words.js'),
    import('../util/output-file.js'),
    import('../login/rotated-token.js'),
  ]);
  const behindLogin = await rotatesLoginToken(target, opts);
  const json = opts.formatType === 'json';
  const inPlace = opts.newName === opts.name;
  let pat: string | undefined;
  let result: RotationResult | undefined;
  let written = false;
  let switched = !(behindLogin && target.server);
  /** The stored login holds the new PAT (the exchange that completes the switch may still be running). */
  let holds = false;
  let reported = false;
  // -t json says once, at the end or on the way out, only what happened.
  const report = (): void => {
    if (!json || pat === undefined || reported) return;
    reported = true;
    const deleted = inPlace || (result && !result.deleteError) ? opts.name : null;
    printJson(ctx.io, { ...(written ? { output_file: opts.outputFile!.given } : opts.outputFile ? {} : { token: pat }), token_name: opts.newName, expires_at: opts.expiresAt, deleted });
  };
  // From the create on, Ctrl-C (which ends the process at once, src/interrupt.ts) must
  // still leave the new token somewhere, and say where and what is left to do.
  const stopped = (): void => {
    report();
    const where = written ? `is in ${opts.outputFile!.given}` : json ? 'is in the JSON above' : 'was printed above';
    const loginPart =
      switched ? ''
      : holds ? `; the login for ${target.url} holds it and works`
      : `; the login for ${target.url} still uses ${opts.name}${inPlace ? ', which was deleted' : ''}: log in with the new one (osmo login ${target.url} --method token ${written ? `--token-file ${shellCommand([opts.outputFile!.given])}` : '--token-stdin'})`;
    const deletePart = inPlace ? '' : `; ${opts.name} may not be deleted yet: check \`osmo token list\``;
    println(ctx.io.stderr, `Error: stopped after the new token ${opts.newName} was created; it ${where}${loginPart}${deletePart}`);
  };
  let release: (() => void) | undefined;
  try {
    result = await rotateToken(target.client, opts, {
      created: async (created) => {
        pat = created;
        release = onInterrupt(stopped, { afterNotice: true });
        let writeError: unknown;
        if (opts.outputFile) {
          try {
            writeTokenFile(opts.outputFile, created, lostHint(opts, shellCommand));
            written = true;
          } catch (err) {
            writeError = err;
          }
        }
        if (!json && !writeError) printNewToken(ctx.io, created, opts.outputFile?.given);
        // Even when the file could not be written, the login keeps the new token: it can rotate again.
        if (!switched && target.server) {
          if (inPlace) {
            await keepNewPat(ctx, target, created);
            holds = true;
          }
          await switchLogin(ctx, target, created, opts, written ? opts.outputFile?.given : undefined);
          switched = true;
        }
        if (writeError) throw writeError;
      },
      // Ctrl-C ends the process at once, by the signal (src/interrupt.ts); this still gets said on the way out.
      unprotected: (recreate) =>
        onInterrupt(() => println(ctx.io.stderr, `Error: stopped while ${opts.name} was being replaced; if \`osmo token list\` no longer shows it, recreate it with: ${recreate}`), { afterNotice: true }),
    }).catch(tokenHints({ user: opts.user }));
  } finally {
    release?.();
    // Whatever fails after the create, the new token is shown before the error.
    report();
  }
  if (result.deleteError) throw result.deleteError;
  if (!json) {
    const user = opts.user ? ` for user ${terminalSafe(opts.user)}` : '';
    const newOne = inPlace ? 'the new one' : `the new one, ${opts.newName},`;
    println(ctx.io.stdout, `Old access token ${opts.name} deleted${user}; ${newOne} expires on ${opts.expiresAt} (UTC)`);
  }
  // OSMO_TOKEN cannot be changed from here: say that it is now stale.
  if (behindLogin && !target.server) ctx.warn(`OSMO_TOKEN held the access token ${opts.name}, which was deleted: put the new token in its place`);
}

function lostHint(opts: TokenRotateOptions, shellCommand: ShellCommand): string {
  const again = ['osmo', 'token', 'rotate', opts.newName, ...(opts.user ? ['--user', opts.user] : []), '--output-file', opts.outputFile?.given ?? 'FILE'];
  return opts.newName === opts.name ? `run \`${shellCommand(again)}\` again once the file can be written` : `${opts.name} was kept; delete ${opts.newName} and try again`;
}
