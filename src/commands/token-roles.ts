import { Command } from 'commander';
import type { Context } from '../context.js';
import { println } from '../io.js';
import { assignedRoleLine, formatTypeOption, printJson, type FormatType } from '../output.js';
import { validateTokenName } from '../validate.js';
import { terminalSafe } from '../util/display-text.js';

export interface TokenRolesOptions {
  name: string;
  formatType: FormatType;
}

export function tokenRolesCommand(getContext: () => Context): Command {
  return new Command('roles')
    .description('Show the roles assigned to one of your tokens')
    .argument('<name>', 'token name')
    .addOption(formatTypeOption())
    .addHelpText('after', '\nExamples:\n  $ osmo token roles my-token\n  $ osmo token roles my-token -t json')
    .action((name: string, opts: { formatType: FormatType }) => runTokenRoles({ name: validateTokenName(name), ...opts }, getContext()));
}

export async function runTokenRoles(opts: TokenRolesOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  const info = await client.tokenRoles(opts.name);
  if (opts.formatType === 'json') return printJson(ctx.io, info);
  const lines = [`Token: ${terminalSafe(info.token_name)}`, `Owner: ${terminalSafe(info.user_name)}`, '', 'Roles:'];
  if (info.roles.length === 0) lines.push('  (none)');
  lines.push(...info.roles.map(assignedRoleLine));
  println(ctx.io.stdout, lines.join('\n'));
}
