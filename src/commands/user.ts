import { Command } from 'commander';
import type { Context } from '../context.js';
import { userListCommand } from './user-list.js';
import { userCreateCommand } from './user-create.js';
import { userGetCommand } from './user-get.js';
import { userUpdateCommand } from './user-update.js';
import { userDeleteCommand } from './user-delete.js';
import { userRolesCommand } from './user-roles.js';

export function userCommand(getContext: () => Context): Command {
  return new Command('user')
    .description('Manage users and their roles, e.g. service accounts for CI (needs the osmo-admin role)')
    .addCommand(userListCommand(getContext))
    .addCommand(userCreateCommand(getContext))
    .addCommand(userGetCommand(getContext))
    .addCommand(userUpdateCommand(getContext))
    .addCommand(userDeleteCommand(getContext))
    .addCommand(userRolesCommand(getContext))
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo user create svc-automation --roles osmo-user\n  $ osmo token set automation-token --user svc-automation --expires-in 90d -r osmo-user --output-file ci-token\n  $ osmo user list --id-prefix svc-\n  $ osmo user get svc-automation\n  $ osmo user roles add svc-automation osmo-ml-team\n  $ osmo user delete svc-automation --force',
    );
}
