import { Command } from 'commander';
import type { Context } from '../context.js';
import { ExitCode, OsmoError, UsageError } from '../errors.js';
import { println } from '../io.js';

/**
 * `osmo print-token`, after `gcloud auth print-access-token`: the short-lived
 * JWT for the current login, for curl and other HTTP tools. Top level rather
 * than under `osmo token`, which manages personal access tokens: a JWT is not
 * one of them, and `osmo token print` would read as "show my PAT".
 */
export function printTokenCommand(getContext: () => Context): Command {
  return new Command('print-token')
    .description('Print a fresh JWT for the current login (renewed first when needed), for use with curl')
    .addHelpText(
      'after',
      '\nPrints the JWT and a newline on stdout, nothing else. The JWT is short-lived (minutes):\nrun this again rather than storing its output. Works with OSMO_URL and OSMO_TOKEN too.\n\nExamples:\n  $ curl -H "Authorization: Bearer $(osmo print-token)" https://osmo.example.com/api/auth/access_token\n  $ OSMO_URL=https://osmo.example.com OSMO_TOKEN="$(cat token)" osmo print-token',
    )
    .action(() => runPrintToken(getContext()));
}

export async function runPrintToken(ctx: Context): Promise<void> {
  const target = await ctx.target();
  if (!target.jwt) {
    const user = target.server?.username ?? 'USER';
    throw new UsageError(
      `the developer login for ${target.url} has no token: the service trusts the x-osmo-user header instead`,
      `send \`-H 'x-osmo-user: ${user}'\` with curl, or log in with a token: osmo login ${target.url} --method token --token-file FILE`,
    );
  }
  const jwt = await target.jwt();
  // What `$(osmo print-token)` puts in a header or a log: only a JWT, never whatever else a server sent.
  if (!JWT_SHAPE.test(jwt)) throw new OsmoError(`the token ${target.url} issued is not a JWT`, ExitCode.server, 'try again later; if it persists, contact the OSMO administrators');
  println(ctx.io.stdout, jwt);
}

/** Three base64url segments (header, payload, signature), nothing else. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
