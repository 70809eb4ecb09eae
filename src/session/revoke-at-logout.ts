import { decodeJwt } from 'jose';
import type { ServerState } from '../config/state.js';
import type { Network, Storage, Terminal } from '../services.js';
import { openStore } from '../store/choose-store.js';
import { oneLine } from '../util/display-text.js';

// `osmo logout` of an OAuth login also revokes its refresh token at the
// identity provider (SPEC §5). Read before the login is forgotten, revoked
// after: the local logout never waits on, or fails because of, the provider.

export interface Revocable {
  url: string;
  clientId: string;
  /** Who issued the login's ID token: where its discovery document is. */
  issuer: string;
  refreshToken: string;
}

const OAUTH_METHODS = new Set(['pkce', 'code', 'password']);

/** The OAuth logins among `which` whose refresh token can be revoked; whatever cannot be read is skipped. */
export async function revocableLogins(ctx: Storage, which: string[] | 'all'): Promise<Revocable[]> {
  let servers: Record<string, ServerState>;
  try {
    servers = (await ctx.state()).servers;
  } catch {
    return []; // the logout reports a damaged config itself
  }
  const urls = which === 'all' ? Object.keys(servers) : which;
  const found: Revocable[] = [];
  for (const url of urls) {
    const server = servers[url];
    if (!server || !OAUTH_METHODS.has(server.method) || !server.clientId) continue;
    try {
      const secrets = await (await openStore(server.store ?? 'file', ctx)).get(url);
      const issuer = issuerOf(secrets?.jwt) ?? (server.tokenEndpoint ? new URL(server.tokenEndpoint).origin : undefined);
      if (secrets?.refreshToken && issuer) found.push({ url, clientId: server.clientId, issuer, refreshToken: secrets.refreshToken });
    } catch {
      /* a store that cannot be read: the logout says so when it cannot remove the secret either */
    }
  }
  return found;
}

/**
 * Revokes each, one after the other; a failure is a warning, never an error:
 * the login is already forgotten here. Success is silent, as the rest of a
 * logout that went as asked.
 */
export async function revokeLogins(ctx: Network & Terminal, logins: Revocable[]): Promise<void> {
  if (!logins.length) return;
  const [{ revokeRefreshToken }, transport] = await Promise.all([import('../oauth/revoke.js'), ctx.transport()]);
  for (const login of logins) {
    try {
      await revokeRefreshToken(login.issuer, login.clientId, login.refreshToken, transport);
    } catch (err) {
      const reason = err instanceof Error ? oneLine(err.message) : String(err);
      ctx.warn(`the refresh token of ${login.url} could not be revoked at its identity provider (${reason}); it stays valid there until it expires`);
    }
  }
}

/** The `iss` of the stored ID token, if it is one. */
function issuerOf(jwt: string | undefined): string | undefined {
  if (!jwt) return undefined;
  try {
    const { iss } = decodeJwt(jwt);
    return typeof iss === 'string' && iss ? iss : undefined;
  } catch {
    return undefined;
  }
}
