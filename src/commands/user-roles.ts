import { Argument, Command } from 'commander';
import type { Context } from '../context.js';
import { formatTypeOption, type FormatType } from '../output.js';
import { validateRoles, validateUserId } from '../validate.js';
import { runUserRoleChanges } from './user-update.js';

/**
 * `osmo user roles add|remove ID ROLE…`: the form OSMO's deployment guide
 * writes, which the official client lacks; the same work as `user update`.
 */
export function userRolesCommand(getContext: () => Context): Command {
  return new Command('roles')
    .description('Add roles to a user or remove them (admins only)')
    .addCommand(roleChangeCommand('add', getContext))
    .addCommand(roleChangeCommand('remove', getContext))
    .addHelpText('after', '\nExamples:\n  $ osmo user roles add svc-automation osmo-user osmo-ml-team\n  $ osmo user roles remove svc-automation osmo-ml-team');
}

function roleChangeCommand(action: 'add' | 'remove', getContext: () => Context): Command {
  const adding = action === 'add';
  return new Command(action)
    .description(adding ? 'Add roles to a user; adding one it has is harmless' : 'Remove roles from a user, and from its tokens')
    .argument('<id>', 'user ID')
    .addArgument(new Argument('<roles...>', adding ? 'roles to add' : 'roles to remove'))
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      adding
        ? '\nExamples:\n  $ osmo user roles add svc-automation osmo-user\n  $ osmo user roles add user@example.com osmo-user osmo-ml-team -t json'
        : '\nExamples:\n  $ osmo user roles remove svc-automation osmo-ml-team\n  $ osmo user roles remove user@example.com osmo-admin osmo-ml-team',
    )
    .action((id: string, roles: string[], flags: { formatType: FormatType }) => {
      const example = `osmo user roles ${action} svc-automation osmo-user`;
      const checked = validateRoles(roles);
      return runUserRoleChanges(
        { id: validateUserId(id, example), ...(adding ? { add: checked } : { remove: checked }), formatType: flags.formatType, command: `osmo user roles ${action}` },
        getContext(),
      );
    });
}
