import { Command } from 'commander';
import type { Context } from '../context.js';
import type { AccessToken } from '../api/schemas.js';
import { println } from '../io.js';
import { datePart, formatTypeOption, printJson, type FormatType } from '../output.js';
import { todayUtc, validateUser } from '../validate.js';
import { terminalSafe } from '../util/display-text.js';

export interface TokenListOptions {
  user?: string;
  formatType: FormatType;
}

export function tokenListCommand(getContext: () => Context): Command {
  return new Command('list')
    .description('List your personal access tokens (or, for admins, another user\'s)')
    .option('-u, --user <user>', 'list the tokens of this user (admins only)')
    .addOption(formatTypeOption())
    .addHelpText('after', '\nExamples:\n  $ osmo token list\n  $ osmo token list -t json | jq -r \'.[].token_name\'\n  $ osmo token list --user user@example.com')
    .action((opts: TokenListOptions) => runTokenList({ ...opts, user: validateUser(opts.user) }, getContext()));
}

export async function runTokenList(opts: TokenListOptions, ctx: Context): Promise<void> {
  const { client, server, url } = await ctx.target();
  const tokens = await client.listTokens(opts.user);
  // The list shows the expiry of the PAT behind a token login: keep the recorded one current.
  const own = !opts.user && server?.method === 'token' ? tokens.find((t) => t.token_name === server.tokenName) : undefined;
  if (own && datePart(own.expires_at) !== server?.patExpiresAt) {
    const { recordPatExpiry } = await import('../session/save-login.js');
    await recordPatExpiry(ctx, url, datePart(own.expires_at));
  }
  if (opts.formatType === 'json') return printJson(ctx.io, tokens);
  if (tokens.length === 0) {
    println(ctx.io.stdout, opts.user ? `No tokens found for user ${opts.user}` : 'No tokens found');
    return;
  }
  println(ctx.io.stdout, await renderTable(tokens, todayUtc(new Date())));
}

async function renderTable(tokens: AccessToken[], today: string): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['Name', 'Description', 'Active', 'Expires At (UTC)'],
    style: { head: [], border: [], compact: true },
    chars: { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const token of tokens) {
    const expires = datePart(token.expires_at);
    // Expired when its expiry date is on or before today (UTC).
    table.push([terminalSafe(token.token_name), terminalSafe(token.description ?? ''), expires > today ? 'Active' : 'Expired', terminalSafe(expires)]);
  }
  return table.toString();
}
