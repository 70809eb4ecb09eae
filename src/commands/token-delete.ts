import { Command } from 'commander';
import type { Context } from '../context.js';
import { tokenHints } from '../tokens/error-hints.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';
import { terminalSafe } from '../util/display-text.js';
import { validateTokenName, validateUser } from '../validate.js';

export interface TokenDeleteOptions {
  name: string;
  user?: string;
  formatType: FormatType;
}

export function tokenDeleteCommand(getContext: () => Context): Command {
  return new Command('delete')
    .aliases(['rm', 'remove', 'revoke'])
    .description('Delete a personal access token; it stops working at once')
    .argument('<name>', 'token name')
    .option('-u, --user <user>', 'delete a token of this user (admins only)')
    .addOption(formatTypeOption())
    .addHelpText('after', '\nExamples:\n  $ osmo token delete my-token\n  $ osmo token delete ci-token --user user@example.com')
    .action((name: string, opts: Omit<TokenDeleteOptions, 'name'>) =>
      runTokenDelete({ name: validateTokenName(name), ...opts, user: validateUser(opts.user) }, getContext()),
    );
}

export async function runTokenDelete(opts: TokenDeleteOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  await client.deleteToken(opts.name, opts.user).catch(tokenHints({ user: opts.user }));
  if (opts.formatType === 'json') return printJson(ctx.io, { token_name: opts.name, user: opts.user ?? null, deleted: true });
  println(ctx.io.stdout, `Access token ${opts.name} deleted${opts.user ? ` for user ${terminalSafe(opts.user)}` : ''}`);
}
