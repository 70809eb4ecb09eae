import { Command } from 'commander';
import type { Context } from '../context.js';
import { println } from '../io.js';

export function switchCommand(getContext: () => Context): Command {
  return new Command('switch')
    .description('Make a stored login the current one, without logging in again')
    .argument('[url]', 'server whose login to use; with exactly one other login stored, that one')
    .addHelpText(
      'after',
      [
        '',
        '`osmo status --offline` lists the stored logins.',
        '',
        'Examples:',
        '  $ osmo switch https://osmo.example.com',
        '  $ osmo switch                      # with two logins: the other one',
      ].join('\n'),
    )
    .action((url: string | undefined) => runSwitch(url, getContext()));
}

export async function runSwitch(rawUrl: string | undefined, ctx: Context): Promise<void> {
  const [{ storedServerUrl }, { chooseSwitch, switchedLine, switchTo }, { noStoredLogin }] = await Promise.all([
    import('../util/url.js'),
    import('../session/switch.js'),
    import('../session/login-names.js'),
  ]);
  const state = await ctx.state();
  const chosen = chooseSwitch(state, rawUrl === undefined ? undefined : storedServerUrl(rawUrl, Object.keys(state.servers)));
  // Under the lock: another osmo may have removed the login since the state was read.
  const server = await switchTo(ctx, chosen.url);
  if (!server) throw noStoredLogin(await ctx.state(), chosen.url);
  println(ctx.io.stdout, switchedLine(chosen.url, server));
  if (ctx.env.OSMO_TOKEN?.trim()) ctx.notice(`Note: OSMO_TOKEN in the environment takes precedence over the stored login for ${chosen.url} until you unset it`);
}
