import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, stdoutColumns, type FormatType } from '../output.js';
import { datePart } from '../util/dates.js';
import { terminalSafe } from '../util/display-text.js';
import { validateRoles } from '../validate.js';

export interface UserListOptions {
  idPrefix?: string;
  roles?: string[];
  /** At most this many users; all when undefined. */
  count?: number;
  formatType: FormatType;
}

interface RawFlags {
  idPrefix?: string;
  roles?: string[];
  count?: string;
  formatType: FormatType;
}

export function userListCommand(getContext: () => Context): Command {
  return new Command('list')
    .alias('ls')
    .description('List users, newest first: all that match, page by page (admins only)')
    .option('-p, --id-prefix <prefix>', 'only users whose ID starts with PREFIX')
    .option('-r, --roles <role...>', 'only users with ANY of these roles (several after one -r, or -r repeated)')
    .option('-c, --count <n>', 'show at most N users (default: all)')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo user list\n  $ osmo user list --id-prefix svc-\n  $ osmo user list --roles osmo-admin osmo-user --count 20\n  $ osmo user list -t json | jq -r \'.users[].id\'',
    )
    .action((flags: RawFlags) =>
      runUserList(
        {
          idPrefix: checkedPrefix(flags.idPrefix),
          roles: validateRoles(flags.roles),
          count: flags.count === undefined ? undefined : parseCount(flags.count),
          formatType: flags.formatType,
        },
        getContext(),
      ),
    );
}

function checkedPrefix(prefix: string | undefined): string | undefined {
  if (prefix === '') throw new UsageError('--id-prefix needs a prefix', 'for example: --id-prefix svc-');
  return prefix;
}

function parseCount(raw: string): number {
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`invalid --count "${raw}": expected a whole number of users, 1 or more`, 'for example: --count 50');
  }
  return Number(value);
}

export async function runUserList(opts: UserListOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  const [{ listAllUsers }, { asAdmin }] = await Promise.all([import('../users/list-all.js'), import('../users/admin-only.js')]);
  const list = await asAdmin('osmo user list', () => listAllUsers(client, { idPrefix: opts.idPrefix, roles: opts.roles }, opts.count));
  if (opts.formatType === 'json') return printJson(ctx.io, list);
  if (list.users.length === 0) return println(ctx.io.stdout, 'No users found');
  const { renderTable } = await import('../util/table.js');
  const rows = list.users.map((u) => [terminalSafe(u.id), u.created_at ? terminalSafe(datePart(u.created_at)) : '-']);
  const columns = stdoutColumns(ctx.io);
  // As the official client prints it: the total, a blank line, the table.
  println(ctx.io.stdout, `Total users: ${list.total_results}\n`);
  // On a terminal a long ID gives way (cut with …); piped output keeps every ID whole.
  println(ctx.io.stdout, renderTable(['User ID', 'Created At'], rows, columns ? { width: columns, column: 0 } : undefined));
}
