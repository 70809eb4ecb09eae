import { Command } from 'commander';
import type { Context } from '../context.js';
import { println } from '../io.js';
import { assignedRoleLine, formatTypeOption, printJson, type FormatType } from '../output.js';
import { datePart } from '../util/dates.js';
import type { UserWithRoles } from '../api/user-schemas.js';
import { terminalSafe } from '../util/display-text.js';
import { validateUserId } from '../validate.js';

export interface UserGetOptions {
  id: string;
  formatType: FormatType;
}

export function userGetCommand(getContext: () => Context): Command {
  return new Command('get')
    .description('Show a user: when and by whom it was created, and its roles (admins only)')
    .argument('<id>', 'user ID')
    .addOption(formatTypeOption())
    .addHelpText('after', '\nExamples:\n  $ osmo user get svc-automation\n  $ osmo user get user@example.com -t json | jq -r \'.roles[].role_name\'')
    .action((id: string, flags: { formatType: FormatType }) => runUserGet({ id: validateUserId(id), ...flags }, getContext()));
}

export async function runUserGet(opts: UserGetOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  const { asAdmin } = await import('../users/admin-only.js');
  const user = await asAdmin('osmo user get', () => client.getUser(opts.id));
  if (opts.formatType === 'json') return printJson(ctx.io, user);
  println(ctx.io.stdout, describeUser(user));
}

/** The official client's layout: three fields, a blank line, the roles (or `Roles: None`). */
export function describeUser(user: UserWithRoles): string {
  const lines = [
    `User ID: ${terminalSafe(user.id)}`,
    `Created At: ${user.created_at ? terminalSafe(datePart(user.created_at)) : '-'}`,
    `Created By: ${user.created_by ? terminalSafe(user.created_by) : '-'}`,
    '',
  ];
  if (user.roles.length === 0) lines.push('Roles: None');
  else lines.push('Roles:', ...user.roles.map(assignedRoleLine));
  return lines.join('\n');
}
