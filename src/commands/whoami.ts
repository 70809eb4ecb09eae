import { join } from 'node:path';
import { Command } from 'commander';
import { CREDENTIALS_FILE } from '../config/paths.js';
import type { Context } from '../context.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';

export interface WhoamiOptions {
  formatType: FormatType;
}

export function whoamiCommand(getContext: () => Context): Command {
  return new Command('whoami')
    .description('Show the current server, user, roles, login method and where the credentials are kept')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      [
        '',
        'It reads what is stored (renewing the JWT only when it is about to expire): it does not ask',
        'the service whether the login still works. `osmo status` does, for every stored login.',
        '',
        'Examples:',
        '  $ osmo whoami',
        '  $ osmo whoami -t json | jq -r .user',
        '  $ osmo status >/dev/null || osmo login https://osmo.example.com',
      ].join('\n'),
    )
    .action((opts: WhoamiOptions) => runWhoami(opts, getContext()));
}

export async function runWhoami(opts: WhoamiOptions, ctx: Context): Promise<void> {
  const target = await ctx.target();
  // The JWT alone answers everything: a fresh cached one costs no request.
  const jwt = target.jwt ? await target.jwt() : undefined;
  const [{ readClaims }, { loginReport, reportRows, alignRows }] = await Promise.all([import('../session/jwt-claims.js'), import('../login-report.js')]);
  const report = loginReport(target.url, target.server, jwt ? readClaims(jwt) : undefined, target.session.source);
  if (!target.server) await noteHiddenLogin(ctx);
  if (opts.formatType === 'json') return printJson(ctx.io, report);
  // "(readable only by you)" is a claim, checked rather than assumed: with the
  // secrets in the file, target.jwt() above read them from it through
  // FileStore.read(), which refuses a file others can reach (readCheckedFile),
  // and any renewal rewrote it 0600.
  const credentialsFile = join(ctx.configDir, CREDENTIALS_FILE);
  println(ctx.io.stdout, alignRows([['Server', report.server], ...reportRows(report, Date.now(), credentialsFile)]));
}

// OSMO_TOKEN wins over a stored login; say so, since the two are easy to confuse.
async function noteHiddenLogin(ctx: Context): Promise<void> {
  const [state, { currentLogin }] = await Promise.all([ctx.state().catch(() => undefined), import('../config/state.js')]);
  const stored = state && currentLogin(state);
  if (stored) ctx.notice(`Note: OSMO_TOKEN in the environment takes precedence over the stored login for ${stored}`);
}
