import { Command } from 'commander';
import type { Context } from '../context.js';
import { tokenSetCommand } from './token-set.js';
import { tokenListCommand } from './token-list.js';
import { tokenRolesCommand } from './token-roles.js';
import { tokenDeleteCommand } from './token-delete.js';
import { tokenRotateCommand } from './token-rotate.js';

export function tokenCommand(getContext: () => Context): Command {
  return new Command('token')
    .description('Create, rotate, list, inspect and delete personal access tokens')
    .addCommand(tokenSetCommand(getContext))
    .addCommand(tokenRotateCommand(getContext))
    .addCommand(tokenListCommand(getContext))
    .addCommand(tokenRolesCommand(getContext))
    .addCommand(tokenDeleteCommand(getContext))
    .addHelpText('after', '\nExamples:\n  $ osmo token set my-token --expires-at 2027-01-01 --description "My automation token"\n  $ osmo token rotate my-token --expires-in 30d\n  $ osmo token list\n  $ osmo token roles my-token\n  $ osmo token delete my-token');
}
