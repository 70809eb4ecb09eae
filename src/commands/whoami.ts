import { join } from 'node:path';
import { Command } from 'commander';
import { CREDENTIALS_FILE } from '../config/paths.js';
import type { OsmoClaims } from '../session/jwt-claims.js';
import type { Context, Target } from '../context.js';
import { println } from '../io.js';
import { formatTypeOption, printJson, type FormatType } from '../output.js';
import { terminalSafe } from '../util/display-text.js';

export interface WhoamiOptions {
  formatType: FormatType;
}

/** What `osmo whoami -t json` prints; the text form shows the same fields. */
export interface WhoamiReport {
  server: string;
  user: string | null;
  /** The `name` claim when it differs from the user id (OAuth ID tokens carry one). */
  name: string | null;
  roles: string[] | null;
  login_method: string;
  /** Where the credential in use came from, as authentication errors name it. */
  credential_source: string;
  secrets_store: 'keychain' | 'file' | 'environment' | 'none';
  jwt_expires_at: string | null;
  token: { name: string; expires_at: string | null } | null;
}

export function whoamiCommand(getContext: () => Context): Command {
  return new Command('whoami')
    .description('Show the current server, user, roles, login method and where the credentials are kept')
    .addOption(formatTypeOption())
    .addHelpText(
      'after',
      '\nExits 2 when not logged in, so scripts can test the login state.\n\nExamples:\n  $ osmo whoami\n  $ osmo whoami -t json | jq -r .user\n  $ osmo whoami >/dev/null 2>&1 || osmo login https://osmo.example.com',
    )
    .action((opts: WhoamiOptions) => runWhoami(opts, getContext()));
}

export async function runWhoami(opts: WhoamiOptions, ctx: Context): Promise<void> {
  const target = await ctx.target();
  // The JWT alone answers everything: a fresh cached one costs no request.
  const jwt = target.jwt ? await target.jwt() : undefined;
  const { readClaims } = await import('../session/jwt-claims.js');
  const report = buildReport(target, jwt ? readClaims(jwt) : undefined);
  if (!target.server) await noteHiddenLogin(ctx);
  if (opts.formatType === 'json') return printJson(ctx.io, report);
  const credentialsFile = join(ctx.configDir, CREDENTIALS_FILE);
  // "(readable only by you)" is a claim: checked here, not assumed.
  if (report.secrets_store === 'file') (await import('../config/permissions.js')).checkPrivateFile(credentialsFile);
  println(ctx.io.stdout, renderText(report, Date.now(), credentialsFile));
}

type Claims = OsmoClaims | undefined;

function buildReport(target: Target, claims: Claims): WhoamiReport {
  const server = target.server;
  const user = claims?.unique_name ?? claims?.preferred_username ?? claims?.email ?? server?.username ?? null;
  const tokenName = claims?.osmo_token_name ?? server?.tokenName;
  return {
    server: target.url,
    user,
    name: claims?.name && claims.name !== user ? claims.name : null,
    roles: claims?.roles ?? null,
    login_method: server?.method ?? 'token',
    credential_source: target.session.source,
    secrets_store: !server ? 'environment' : server.method === 'dev' ? 'none' : (server.store ?? 'file'),
    jwt_expires_at: claims?.exp !== undefined ? new Date(claims.exp * 1000).toISOString() : null,
    token: tokenName ? { name: tokenName, expires_at: server?.patExpiresAt ?? null } : null,
  };
}

function renderText(r: WhoamiReport, nowMs: number, credentialsFile: string): string {
  const rows: Array<[string, string]> = [
    ['Server', r.server],
    ['User', r.user ? terminalSafe(r.name ? `${r.name} (${r.user})` : r.user) : '(unknown)'],
  ];
  if (r.roles) rows.push(['Roles', r.roles.length ? terminalSafe(r.roles.join(', ')) : '(none)']);
  rows.push(['Login method', METHOD_TEXT[r.login_method] ?? r.login_method]);
  rows.push(['Credentials', r.secrets_store === 'file' ? `${credentialsFile} (readable only by you)` : STORE_TEXT[r.secrets_store]]);
  if (r.jwt_expires_at) rows.push(['JWT expires', `${utc(r.jwt_expires_at)} (${relative(Date.parse(r.jwt_expires_at) - nowMs)})`]);
  if (r.token) rows.push(['Access token', terminalSafe(r.token.expires_at ? `${r.token.name}, expires ${r.token.expires_at}` : r.token.name)]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
}

const METHOD_TEXT: Record<string, string> = {
  token: 'token (personal access token)',
  pkce: 'pkce (browser, OAuth)',
  code: 'code (device code, OAuth)',
  password: 'password (OAuth)',
  dev: 'dev (developer mode, no token)',
};

const STORE_TEXT: Record<Exclude<WhoamiReport['secrets_store'], 'file'>, string> = {
  keychain: 'OS keychain (service osmo-cli)',
  environment: 'OSMO_TOKEN in the environment (nothing stored)',
  none: 'none (developer mode trusts the user name)',
};

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function relative(ms: number): string {
  if (ms <= 0) return 'expired';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 120) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `in ${hours} h` : `in ${Math.round(hours / 24)} days`;
}

// OSMO_TOKEN wins over a stored login; say so, since the two are easy to confuse.
async function noteHiddenLogin(ctx: Context): Promise<void> {
  const [state, { currentLogin }] = await Promise.all([ctx.state().catch(() => undefined), import('../config/state.js')]);
  const stored = state && currentLogin(state);
  if (stored) ctx.notice(`Note: OSMO_TOKEN in the environment takes precedence over the stored login for ${stored}`);
}
