import { join } from 'node:path';
import { Command } from 'commander';
import { CREDENTIALS_FILE } from '../config/paths.js';
import type { Context } from '../context.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';
import type { LoginStatus } from '../session/login-status.js';

export interface StatusOptions {
  offline?: boolean;
  formatType: FormatType;
}

export function statusCommand(getContext: () => Context): Command {
  return new Command('status')
    .description('Show every stored login and check each one with its service')
    .argument('[url]', 'show only the login for this server')
    .option('--offline', 'show what is stored, without asking the services')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      [
        '',
        'Each login costs one request to its service, all at once. Exit code: 0 when the current login',
        'works (with --offline: when there is one), 2 when the service refused it or there is none,',
        '10 when its service could not be reached. OSMO_URL with OSMO_TOKEN counts as the current login;',
        'OSMO_URL alone picks the stored login for that server, marked "in use".',
        '',
        'Examples:',
        '  $ osmo status',
        '  $ osmo status --offline',
        '  $ osmo status https://osmo.example.com -t json',
        '  $ osmo status >/dev/null 2>&1 || osmo login https://osmo.example.com',
      ].join('\n'),
    )
    .action((url: string | undefined, opts: StatusOptions) => runStatus(url, opts, getContext()));
}

export async function runStatus(url: string | undefined, opts: StatusOptions, ctx: Context): Promise<void> {
  const [{ loginStatuses }, { loginReport, reportRows, alignRows }, { terminalSafe }] = await Promise.all([
    import('../session/login-status.js'),
    import('../login-report.js'),
    import('../util/display-text.js'),
  ]);
  const { logins, failure } = await loginStatuses(ctx, { url, online: !opts.offline });
  const reports = logins.map((login) => ({
    ...loginReport(login.url, login.server, login.claims, login.source),
    current: login.current,
    in_use: login.inUse,
    check: { status: login.check.status, message: login.check.message, hint: login.check.hint },
  }));
  if (opts.formatType === 'json') {
    printJson(ctx.io, reports);
  } else if (logins.length) {
    const credentialsFile = join(ctx.configDir, CREDENTIALS_FILE);
    const elsewhere = ctx.env.OSMO_TOKEN?.trim() ? 'OSMO_TOKEN is set' : 'OSMO_URL names another server';
    const blocks = logins.map((login, i) => {
      const rows: Array<[string, string]> = [['Status', checkText(login, terminalSafe)]];
      if (login.check.hint) rows.push(['Hint', terminalSafe(login.check.hint)]);
      return `${login.url}${marks(login, elsewhere)}\n${alignRows([...rows, ...reportRows(reports[i]!, Date.now(), credentialsFile)], '  ')}`;
    });
    println(ctx.io.stdout, blocks.join('\n\n'));
  }
  if (failure) throw failure;
}

function marks(login: LoginStatus, elsewhere: string): string {
  if (!login.server) return ' (OSMO_URL and OSMO_TOKEN: in use, ahead of any stored login)';
  if (login.current && !login.inUse) return ` (current, but not in use while ${elsewhere})`;
  if (login.inUse && !login.current) return ' (in use: OSMO_URL names it)';
  return login.current ? ' (current)' : '';
}

function checkText(login: LoginStatus, safe: (text: string) => string): string {
  const { status, message } = login.check;
  if (status === 'ok') return 'working (the service accepted it just now)';
  if (status === 'not checked') return 'not checked (--offline)';
  return `${status}: ${safe(message ?? '')}`;
}
