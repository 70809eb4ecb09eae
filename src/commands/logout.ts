import { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { println } from '../io.js';

export function logoutCommand(getContext: () => Context): Command {
  return new Command('logout')
    .description("Forget the current server's credentials, everywhere they were stored")
    .argument('[url]', 'server to log out of; defaults to the current one')
    .addHelpText('after', '\nExamples:\n  $ osmo logout\n  $ osmo logout https://osmo.example.com')
    .action((url: string | undefined) => runLogout(url, getContext()));
}

export async function runLogout(rawUrl: string | undefined, ctx: Context): Promise<void> {
  const [{ normalizeServerUrl }, { forgetLogin }] = await Promise.all([import('../util/url.js'), import('../session/save-login.js')]);
  const url = rawUrl !== undefined ? normalizeServerUrl(rawUrl) : (await ctx.state()).current;
  if (!url) throw new UsageError('you are not logged in', 'nothing to log out of');
  if (!(await forgetLogin(ctx, url))) throw new UsageError(`you are not logged in to ${url}`);
  println(ctx.io.stdout, 'Successfully logged out.');
}
