import { Command } from 'commander';
import type { Context } from '../context.js';
import { tokenHints } from '../tokens/error-hints.js';
import { println } from '../io.js';
import { checkedOutputFile, formatTypeOption, printJson, printNewToken, type FormatType } from '../output.js';
import { terminalSafe } from '../util/display-text.js';
import type { OutputFile } from '../util/output-file.js';
import { resolveExpiry, validateRoles, validateTokenName, validateUser } from '../validate.js';

export interface TokenSetOptions {
  name: string;
  expiresAt: string;
  description?: string;
  user?: string;
  roles?: string[];
  outputFile?: OutputFile;
  formatType: FormatType;
}

interface RawFlags {
  expiresAt?: string;
  expiresIn?: string;
  description?: string;
  user?: string;
  roles?: string[];
  outputFile?: string;
  formatType: FormatType;
}

export function tokenSetCommand(getContext: () => Context): Command {
  return new Command('set')
    .aliases(['create', 'new'])
    .description('Create a personal access token; it is shown once')
    // Optional for commander only: a NAME after `-r a b` arrives among the roles (see splitNameFromRoles).
    .argument('[name]', 'token name: letters, digits, "-" and "_"')
    .usage('<name> [options]')
    .option('-e, --expires-at <date>', 'expiry date YYYY-MM-DD (UTC); default 31 days from today')
    .option('--expires-in <duration>', 'expiry relative to today (UTC): 30d, 12w, 6m, 1y')
    .option('-d, --description <text>', 'what the token is for')
    .option('-u, --user <user>', 'create the token for this user (admins only)')
    .option('-r, --roles <role...>', 'roles to give the token (several after one -r, or -r repeated); default all of the user\'s roles')
    .option('--output-file <file>', 'write the token (and a newline) to FILE, mode 0600, instead of printing it')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ osmo token set my-token --expires-at 2027-01-01 --description "My automation token"\n  $ osmo token set ci-token --expires-in 90d -r osmo-user osmo-ml-team --output-file ~/.osmo-token\n  $ osmo token set ci-token -r osmo-user -t json | jq -r .token\n  $ osmo token set ci-token --user user@example.com -r osmo-user',
    )
    .action(async function (this: Command, rawName: string | undefined, flags: RawFlags) {
      const { name, roles } = splitNameFromRoles(rawName, flags.roles);
      if (name === undefined) return this.error("error: missing required argument 'name'", { code: 'commander.missingArgument' });
      return runTokenSet(
        {
          name: validateTokenName(name),
          expiresAt: await resolveExpiry(flags, new Date()),
          description: flags.description,
          user: validateUser(flags.user),
          roles: validateRoles(roles),
          outputFile: await checkedOutputFile(flags.outputFile),
          formatType: flags.formatType,
        },
        getContext(),
      );
    });
}

/**
 * `-r` takes every word after it, like the official client's nargs='+', so in
 * `osmo token set -r osmo-user ci-token` the name arrives as the last role.
 * When no NAME came before the roles, the last of two or more is the NAME;
 * `--` or another flag before NAME, or NAME first, leaves nothing to guess.
 */
export function splitNameFromRoles(name: string | undefined, roles: string[] | undefined): { name?: string; roles?: string[] } {
  if (name !== undefined || !roles || roles.length < 2) return { name, roles };
  return { name: roles.at(-1), roles: roles.slice(0, -1) };
}

export async function runTokenSet(opts: TokenSetOptions, ctx: Context): Promise<void> {
  const { client } = await ctx.target();
  const token = await client.createToken(opts.name, opts).catch(tokenHints(opts));
  if (opts.outputFile) {
    const [{ writeTokenFile }, { shellCommand }] = await Promise.all([import('../util/output-file.js'), import('../util/shell-words.js')]);
    const remove = shellCommand(['osmo', 'token', 'delete', opts.name, ...(opts.user ? ['--user', opts.user] : [])]);
    writeTokenFile(opts.outputFile, token, `delete the token with \`${remove}\` and create it again`);
  }
  if (opts.formatType === 'json') return printJson(ctx.io, opts.outputFile ? { output_file: opts.outputFile.given } : { token });
  printNewToken(ctx.io, token, opts.outputFile?.given);
  if (opts.user) println(ctx.io.stdout, `Created for user: ${terminalSafe(opts.user)}`);
  if (opts.roles?.length) println(ctx.io.stdout, `Roles: ${opts.roles.map(terminalSafe).join(', ')}`);
}
