import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { println } from '../io.js';

export interface LogoutOptions {
  all?: boolean;
}

export function logoutCommand(getContext: () => Context): Command {
  return new Command('logout')
    .description("Forget a server's login (the current one by default), everywhere its secrets were stored")
    .argument('[url]', 'server to log out of; defaults to the current one')
    .option('--all', 'log out of every server')
    .addHelpText(
      'after',
      [
        '',
        'Nothing to log out of is not an error (exit 0). When a copy of a secret cannot be removed',
        '(the keychain cannot be reached), osmo says where it remains and how to remove it, and exits 2.',
        '',
        "An OAuth login's refresh token is also revoked at the identity provider when it offers",
        'revocation (a failure there is a warning; the local logout happens all the same). A token',
        "login's personal access token is NOT deleted on the service: it keeps working until it",
        'expires; delete it with `osmo token delete NAME` first if it should stop working.',
        '',
        'Examples:',
        '  $ osmo logout',
        '  $ osmo logout https://osmo.example.com',
        '  $ osmo logout --all',
      ].join('\n'),
    )
    .action((url: string | undefined, opts: LogoutOptions) => runLogout(url, opts, getContext()));
}

export async function runLogout(rawUrl: string | undefined, opts: LogoutOptions, ctx: Context): Promise<void> {
  if (opts.all && rawUrl !== undefined) throw new UsageError('give a server URL or --all, not both');
  const [{ hasScheme, storedServerUrl }, { forgetLogins }, { remainsError }, { stillLoggedIn }, { switchedLine }] = await Promise.all([
    import('../util/url.js'),
    import('../session/logout.js'),
    import('../session/leftovers.js'),
    import('../session/login-names.js'),
    import('../session/switch.js'),
  ]);
  // Without a URL or --all: the current login, if there is one.
  const before = rawUrl === undefined && !opts.all ? await ctx.state() : undefined;
  // OSMO_URL names the server of every command, this one too.
  const named = rawUrl ?? (opts.all ? undefined : ctx.env.OSMO_URL?.trim() || undefined);
  // A URL typed without its scheme names a stored login by host and port.
  const stored = async (name: string): Promise<string[]> => (hasScheme(name) ? [] : Object.keys((await ctx.state()).servers));
  const url = named !== undefined ? storedServerUrl(named, await stored(named)) : before?.current;
  // OAuth refresh tokens are revoked at the provider too, after the local logout (src/session/revoke-at-logout.ts).
  const revoke = await import('../session/revoke-at-logout.js');
  const revocable = await revoke.revocableLogins(ctx, opts.all ? 'all' : url ? [url] : []);
  const after = opts.all ? await forgetLogins(ctx, 'all') : url ? await forgetLogins(ctx, [url]) : undefined;
  if (after?.removedFile) ctx.warn(`${after.removedFile}; removed it, so every login that kept its secrets there must log in again`);
  const forgotten = after?.forgotten ?? [];
  for (const f of forgotten) {
    if (f.found && !f.remains.length) println(ctx.io.stdout, `Successfully logged out of ${f.url}.`);
  }
  if (!forgotten.some((f) => f.found || f.remains.length)) {
    // As `docker logout` and the Python client: already logged out is done, not a failure.
    const where = opts.all ? ' to any server' : url ? ` to ${url}` : '';
    ctx.notice(`Note: you are not logged in${where}; there is nothing to log out of`);
  }
  if (after?.switchedTo) println(ctx.io.stdout, switchedLine(after.switchedTo, after.state.servers[after.switchedTo]!));
  const state = after?.state ?? before;
  if (!opts.all && state) {
    const note = stillLoggedIn(state);
    if (note) ctx.notice(note);
  }
  await revoke.revokeLogins(ctx, revocable.filter((r) => forgotten.some((f) => f.url === r.url)));
  const error = remainsError(forgotten, ctx.configDir);
  if (error) throw error;
}
