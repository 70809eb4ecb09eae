import { Command } from 'commander';
import type { Context } from '../context.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';
import { terminalSafe } from '../util/display-text.js';
import { validateRoles, validateUserId } from '../validate.js';
import { splitNameFromRoles } from './token-set.js';

export interface UserCreateOptions {
  id: string;
  roles?: string[];
  formatType: FormatType;
}

export function userCreateCommand(getContext: () => Context): Command {
  return new Command('create')
    .description('Create a user, e.g. a service account for CI, with its first roles (admins only)')
    // Optional for commander only: an ID after `-r a b` arrives among the roles, as with `token set`.
    .argument('[id]', 'user ID: letters, digits, ".", "_", "@" and "-"')
    .usage('<id> [options]')
    .option('-r, --roles <role...>', 'roles to assign (several after one -r, or -r repeated)')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo user create svc-automation --roles osmo-user\n  $ osmo user create user@example.com -r osmo-user -r osmo-ml-team\n  $ osmo user create svc-nightly -r osmo-user -t json',
    )
    .action(function (this: Command, rawId: string | undefined, flags: { roles?: string[]; formatType: FormatType }) {
      const { name: id, roles } = splitNameFromRoles(rawId, flags.roles);
      if (id === undefined) return this.error("error: missing required argument 'id'", { code: 'commander.missingArgument' });
      return runUserCreate({ id: validateUserId(id, 'osmo user create svc-automation'), roles: validateRoles(roles), formatType: flags.formatType }, getContext());
    });
}

export async function runUserCreate(opts: UserCreateOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  const { asAdmin } = await import('../users/admin-only.js');
  const user = await asAdmin('osmo user create', () => client.createUser(opts.id, opts.roles));
  if (opts.formatType === 'json') return printJson(ctx.io, user);
  println(ctx.io.stdout, `User created: ${terminalSafe(user.id)}`);
  if (opts.roles?.length) println(ctx.io.stdout, `Roles assigned: ${opts.roles.map(terminalSafe).join(', ')}`);
}
