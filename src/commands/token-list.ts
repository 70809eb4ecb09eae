import { Command } from 'commander';
import type { Context } from '../context.js';
import { tokenHints } from '../tokens/error-hints.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, stdoutColumns, type FormatType } from '../output.js';
import { datePart, todayUtc } from '../util/dates.js';
import type { ExpiryFilter } from '../tokens/token-expiry.js';
import { terminalSafe } from '../util/display-text.js';
import { validateUser } from '../validate.js';

export interface TokenListOptions extends ExpiryFilter {
  user?: string;
  formatType: FormatType;
}

interface RawFlags {
  user?: string;
  expiringWithin?: string;
  expired?: boolean;
  formatType: FormatType;
}

export function tokenListCommand(getContext: () => Context): Command {
  return new Command('list')
    .alias('ls')
    .description('List your personal access tokens (or, for admins, another user\'s)')
    .option('-u, --user <user>', 'list the tokens of this user (admins only)')
    .option('--expiring-within <duration>', 'only active tokens that expire within DURATION: 30d, 12w, 6m, 1y')
    .option('--expired', 'only tokens that have expired (with --expiring-within: both kinds)')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo token list\n  $ osmo token list -t json | jq -r \'.[].token_name\'\n  $ osmo token list --user user@example.com\n  $ osmo token list --expired --expiring-within 14d -t json | jq -e \'length == 0\'',
    )
    .action(async (flags: RawFlags) =>
      runTokenList(
        {
          user: validateUser(flags.user),
          expiringWithin: flags.expiringWithin === undefined ? undefined : (await import('../tokens/duration.js')).parseDuration(flags.expiringWithin, '--expiring-within'),
          expired: flags.expired,
          formatType: flags.formatType,
        },
        getContext(),
      ),
    );
}

export async function runTokenList(opts: TokenListOptions, ctx: Context): Promise<void> {
  const { client, server, url } = await ctx.target();
  const [all, { patExpiryIn }, { filterByExpiry, isExpired }] = await Promise.all([client.listTokens(opts.user).catch(tokenHints({ user: opts.user })), import('../session/pat-expiry.js'), import('../tokens/token-expiry.js')]);
  // The list shows the expiry of the PAT behind a token login: keep the recorded one current.
  const patExpiresAt = !opts.user && server?.method === 'token' ? patExpiryIn(all, server.tokenName) : undefined;
  if (patExpiresAt !== undefined && patExpiresAt !== server?.patExpiresAt) {
    const { recordPatExpiry } = await import('../session/save-login.js');
    await recordPatExpiry(ctx, url, patExpiresAt);
  }
  const today = todayUtc(new Date());
  const tokens = await filterByExpiry(all, opts, today);
  if (opts.formatType === 'json') return printJson(ctx.io, tokens);
  const user = opts.user === undefined ? undefined : terminalSafe(opts.user);
  if (tokens.length === 0) {
    const filters = [opts.expired && '--expired', opts.expiringWithin && `--expiring-within ${opts.expiringWithin.text}`].filter(Boolean);
    println(ctx.io.stdout, `No tokens found${user ? ` for user ${user}` : ''}${filters.length ? ` matching ${filters.join(' ')}` : ''}`);
    return;
  }
  const [{ renderTable }, { fitList }] = await Promise.all([import('../util/table.js'), import('../util/fit-table.js')]);
  // As the official client prints it: the heading, then a blank line.
  if (user) println(ctx.io.stdout, `Tokens for user: ${user}\n`);
  const rows = tokens.map((t) => {
    const expires = terminalSafe(datePart(t.expires_at));
    return [terminalSafe(t.token_name), terminalSafe(t.description ?? ''), isExpired(t, today) ? 'Expired' : 'Active', expires];
  });
  const head = ['Name', 'Description', 'Active', 'Expires At (UTC)'];
  const columns = stdoutColumns(ctx.io);
  // On a terminal the list always fits (Description gives way first); piped output keeps every cell whole.
  println(ctx.io.stdout, columns ? fitList(head, rows, { width: columns, column: 1 }) : renderTable(head, rows));
}
