import type { ServerState } from './config/state.js';
import { terminalSafe } from './util/display-text.js';
import type { OsmoClaims } from './session/jwt-claims.js';

/** One login as `osmo whoami` and `osmo status` show it; `-t json` prints it as is. */
export interface LoginReport {
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

/** `server` is undefined for OSMO_URL + OSMO_TOKEN; `claims` come from the JWT, when there is one. */
export function loginReport(url: string, server: ServerState | undefined, claims: OsmoClaims | undefined, source: string): LoginReport {
  const user = claims?.unique_name ?? claims?.preferred_username ?? claims?.email ?? server?.username ?? null;
  const tokenName = claims?.osmo_token_name ?? server?.tokenName;
  return {
    server: url,
    user,
    name: claims?.name && claims.name !== user ? claims.name : null,
    roles: claims?.roles ?? null,
    login_method: server?.method ?? 'token',
    credential_source: source,
    secrets_store: !server ? 'environment' : server.method === 'dev' ? 'none' : (server.store ?? 'file'),
    jwt_expires_at: claims?.exp !== undefined ? new Date(claims.exp * 1000).toISOString() : null,
    token: tokenName ? { name: tokenName, expires_at: server?.patExpiresAt ?? null } : null,
  };
}

/** Label and value pairs for the text form; every value that came from a server is made safe. */
export function reportRows(r: LoginReport, nowMs: number, credentialsFile: string): Array<[string, string]> {
  const safe = terminalSafe;
  const user = r.user ? (r.name ? `${safe(r.name)} (${safe(r.user)})` : safe(r.user)) : '(unknown)';
  const rows: Array<[string, string]> = [['User', user]];
  if (r.roles) rows.push(['Roles', r.roles.length ? r.roles.map(safe).join(', ') : '(none)']);
  rows.push(['Login method', METHOD_TEXT[r.login_method] ?? r.login_method]);
  rows.push(['Credentials', r.secrets_store === 'file' ? `${credentialsFile} (readable only by you)` : STORE_TEXT[r.secrets_store]]);
  if (r.jwt_expires_at) rows.push(['JWT expires', `${utc(r.jwt_expires_at)} (${relative(Date.parse(r.jwt_expires_at) - nowMs)})`]);
  if (r.token) rows.push(['Access token', r.token.expires_at ? `${safe(r.token.name)}, expires ${r.token.expires_at}` : safe(r.token.name)]);
  return rows;
}

/** `Label:  value` lines, the values aligned. */
export function alignRows(rows: Array<[string, string]>, indent = ''): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}${value}`).join('\n');
}

const METHOD_TEXT: Record<string, string> = {
  token: 'token (personal access token)',
  pkce: 'pkce (browser, OAuth)',
  code: 'code (device code, OAuth)',
  password: 'password (OAuth)',
  dev: 'dev (developer mode, no token)',
};

const STORE_TEXT: Record<Exclude<LoginReport['secrets_store'], 'file'>, string> = {
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
