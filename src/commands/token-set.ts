import { Command } from 'commander';
import type { Context } from '../context.js';
import { println } from '../io.js';
import { collect, formatTypeOption, printJson, type FormatType } from '../output.js';
import { resolveExpiresAt, validateRoles, validateTokenName, validateUser } from '../validate.js';
import { terminalSafe } from '../util/display-text.js';

export interface TokenSetOptions {
  name: string;
  expiresAt: string;
  description?: string;
  user?: string;
  roles?: string[];
  formatType: FormatType;
}

interface RawFlags {
  expiresAt?: string;
  description?: string;
  user?: string;
  roles?: string[];
  formatType: FormatType;
}

export function tokenSetCommand(getContext: () => Context): Command {
  return new Command('set')
    .description('Create a personal access token; it is shown once')
    .argument('<name>', 'token name: letters, digits, "-" and "_"')
    .option('-e, --expires-at <date>', 'expiry date YYYY-MM-DD (UTC); default 31 days from today')
    .option('-d, --description <text>', 'what the token is for')
    .option('-u, --user <user>', 'create the token for this user (admins only)')
    .option('-r, --roles <role>', 'a role to give the token (repeatable); default all of the user\'s roles', collect)
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo token set my-token --expires-at 2027-01-01 --description "My automation token"\n  $ osmo token set ci-token -r osmo-user -t json > token.json\n  $ osmo token set ci-token --user user@example.com -r osmo-user',
    )
    .action((name: string, flags: RawFlags) => {
      const ctx = getContext();
      return runTokenSet(
        {
          name: validateTokenName(name),
          expiresAt: resolveExpiresAt(flags.expiresAt, new Date()),
          description: flags.description,
          user: validateUser(flags.user),
          roles: validateRoles(flags.roles),
          formatType: flags.formatType,
        },
        ctx,
      );
    });
}

export async function runTokenSet(opts: TokenSetOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  const token = await client.createToken(opts.name, opts);
  if (opts.formatType === 'json') return printJson(ctx.io, { token });
  const lines = ['Note: Save the token in a secure location as it will not be shown again', `Access token: ${terminalSafe(token)}`];
  if (opts.user) lines.push(`Created for user: ${opts.user}`);
  if (opts.roles?.length) lines.push(`Roles: ${opts.roles.join(', ')}`);
  println(ctx.io.stdout, lines.join('\n'));
}
