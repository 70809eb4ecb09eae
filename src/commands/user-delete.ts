import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';
import { terminalSafe } from '../util/display-text.js';
import { validateUserId } from '../validate.js';

export interface UserDeleteOptions {
  id: string;
  force?: boolean;
  formatType: FormatType;
}

export function userDeleteCommand(getContext: () => Context): Command {
  return new Command('delete')
    .description('Delete a user with its access tokens and roles; asks first unless --force (admins only)')
    .argument('<id>', 'user ID')
    .option('-f, --force', 'do not ask (required where there is no terminal, as in CI)')
    .addOption(formatTypeOption())
    .addHelpText('after', '\nExamples:\n  $ osmo user delete svc-automation\n  $ osmo user delete svc-automation --force')
    .action((id: string, flags: Omit<UserDeleteOptions, 'id'>) => runUserDelete({ id: validateUserId(id, 'osmo user delete svc-automation --force'), ...flags }, getContext()));
}

export async function runUserDelete(opts: UserDeleteOptions, ctx: Context): Promise<void> {
  const id = terminalSafe(opts.id);
  const { canPrompt, confirm } = await import('../prompt.js');
  // Refused before any request: nobody can answer, and a closed stdin must not read as consent.
  if (!opts.force && !canPrompt(ctx.io)) {
    throw new UsageError(`not deleting user ${id} without confirmation, and there is no terminal to ask on`, `to delete it, run: osmo user delete ${id} --force`);
  }
  const { client } = await ctx.target();
  const { asAdmin } = await import('../users/admin-only.js');
  await asAdmin('osmo user delete', async () => {
    if (!opts.force) {
      // Say what goes with the user before asking.
      const [user, tokens] = await Promise.all([client.getUser(opts.id), client.listTokens(opts.id)]);
      const question = `Are you sure you want to delete user "${id}"? ${consequences(tokens.map((t) => t.token_name), user.roles.map((r) => r.role_name))} [y/N]: `;
      if (!(await confirm(ctx.io, question))) return void println(ctx.io.stderr, 'Cancelled');
    }
    await client.deleteUser(opts.id);
    if (opts.formatType === 'json') printJson(ctx.io, { id: opts.id, deleted: true });
    else println(ctx.io.stdout, `User deleted: ${id}`);
  });
}

/** `Its access tokens (2: ci, nightly) and roles (osmo-user) are deleted with it.` */
function consequences(tokens: string[], roles: string[]): string {
  const some = (names: string[]): string => names.slice(0, 5).map(terminalSafe).join(', ') + (names.length > 5 ? `, … ${names.length - 5} more` : '');
  const tokenPart = tokens.length ? `${tokens.length}: ${some(tokens)}` : 'none';
  return `Its access tokens (${tokenPart}) and roles (${roles.length ? some(roles) : 'none'}) are deleted with it.`;
}
