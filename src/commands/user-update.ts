import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';
import type { RoleChange } from '../users/role-changes.js';
import { terminalSafe } from '../util/display-text.js';
import { validateRoles, validateUserId } from '../validate.js';

export interface UserRoleChangeOptions {
  id: string;
  add?: string[];
  remove?: string[];
  formatType: FormatType;
  /** The command line named in a 403, e.g. `osmo user update`. */
  command: string;
}

interface RawFlags {
  addRoles?: string[];
  removeRoles?: string[];
  formatType: FormatType;
}

/** The official client's words when neither flag is given. */
export const NOTHING_TO_DO = 'No updates specified. Use --add-roles or --remove-roles.';

export function userUpdateCommand(getContext: () => Context): Command {
  return new Command('update')
    .description('Add roles to a user and remove others, one request each, reporting each as it lands (admins only)')
    .argument('[id]', 'user ID')
    .usage('<id> [options]')
    .option('-a, --add-roles <role...>', 'roles to add (several after one -a, or -a repeated)')
    .option('-r, --remove-roles <role...>', 'roles to remove; they are taken from the user\'s tokens too')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo user update user@example.com --add-roles osmo-admin\n  $ osmo user update user@example.com --remove-roles osmo-ml-team\n  $ osmo user update svc-automation -a osmo-ml-team -r osmo-user -t json',
    )
    .action(function (this: Command, rawId: string | undefined, flags: RawFlags) {
      const { id, add, remove } = splitIdFromRoles(rawId, flags.addRoles, flags.removeRoles);
      if (id === undefined) return this.error("error: missing required argument 'id'", { code: 'commander.missingArgument' });
      return runUserRoleChanges(
        { id: validateUserId(id, 'osmo user update svc-automation --add-roles osmo-user'), add: validateRoles(add), remove: validateRoles(remove), formatType: flags.formatType, command: 'osmo user update' },
        getContext(),
      );
    });
}

/**
 * `-a`/`-r` take every word after them, so in `osmo user update -a x y ID`
 * the ID arrives as the last role. Only when one of the two flags was given
 * can that word be told apart; with both, put the ID first.
 */
function splitIdFromRoles(id: string | undefined, add: string[] | undefined, remove: string[] | undefined): { id?: string; add?: string[]; remove?: string[] } {
  if (id !== undefined || (add && remove)) return { id, add, remove };
  const only = add ?? remove;
  if (!only || only.length < 2) return { id, add, remove };
  const rest = only.slice(0, -1);
  return { id: only.at(-1), add: add && rest, remove: remove && rest };
}

export async function runUserRoleChanges(opts: UserRoleChangeOptions, ctx: Context): Promise<void> {
  if (!opts.add?.length && !opts.remove?.length) throw new UsageError(NOTHING_TO_DO, `for example: osmo user update ${opts.id} --add-roles osmo-user`);
  const both = opts.add?.find((role) => opts.remove?.includes(role));
  if (both !== undefined) throw new UsageError(`role ${both} is both to be added and to be removed`, 'give each role once');
  const { client } = await ctx.target();
  const [{ applyRoleChanges, changeLine, roleChanges }, { asAdmin }] = await Promise.all([import('../users/role-changes.js'), import('../users/admin-only.js')]);
  const json = opts.formatType === 'json';
  const landed = (change: RoleChange): void => {
    if (!json) println(ctx.io.stdout, terminalSafe(changeLine(change)));
  };
  await applyRoleChanges(client, opts.id, roleChanges(opts.add, opts.remove), opts.command, landed);
  // As the official client does: JSON shows the user as it is now.
  if (json) printJson(ctx.io, await asAdmin(opts.command, () => client.getUser(opts.id)));
}
