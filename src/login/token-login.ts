import type { Network, Services, Storage } from '../services.js';
import { ApiError, CredentialRefusedError, UsageError } from '../errors.js';
import { displayName, readClaims } from '../session/jwt-claims.js';
import { chooseStore, saveLogin, type SavedLogin } from '../session/save-login.js';
import { lookUpPatExpiry } from '../session/pat-expiry.js';
import { DevSession } from '../session/session.js';

export interface LoginResult extends SavedLogin {
  /** Who the service says we are. */
  name: string;
}

/** Exchanges the PAT once (proving it works) and keeps both it and the JWT. */
export async function tokenLogin(ctx: Services, url: string, pat: string, allowInsecureHttp: boolean, opts: { keepCurrent?: boolean } = {}): Promise<LoginResult> {
  const choice = await chooseStore(ctx);
  const client = await ctx.client(url);
  const { jwt, expiresAt } = await client.exchangePat(pat);
  const claims = readClaims(jwt);
  const tokenName = claims?.osmo_token_name;
  const patExpiresAt = await lookUpPatExpiry(ctx, url, jwt, tokenName);
  const saved = await saveLogin(
    ctx,
    url,
    { method: 'token', username: claims?.unique_name, tokenName, patExpiresAt, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) },
    { secrets: { pat, jwt, jwtExpiresAt: expiresAt ?? claims?.exp }, choice },
    opts,
  );
  return { ...saved, name: displayName(claims) ?? 'user' };
}

/**
 * Developer mode: the service trusts x-osmo-user, so there is no secret to
 * keep. One request proves that it does (a service out of developer mode
 * answers 401), so a login that could never work is not stored.
 */
export async function devLogin(ctx: Network & Storage, url: string, username: string, allowInsecureHttp: boolean): Promise<LoginResult> {
  const client = await ctx.client(url, new DevSession(username));
  try {
    // A 404 or a web page: not an OSMO service at all, said as such.
    await client.listTokens(undefined, { probe: true });
  } catch (err) {
    // A 403 means the service knew who was asking: developer mode works, this user just may not list.
    if (err instanceof ApiError && err.status === 403) return saveDevLogin(ctx, url, username, allowInsecureHttp);
    if (!(err instanceof CredentialRefusedError)) throw err;
    throw new UsageError(`${url} does not accept developer logins (${err.reason} (HTTP 401))`, 'it is not in developer mode: log in with --method token, --method code or another method');
  }
  return saveDevLogin(ctx, url, username, allowInsecureHttp);
}

async function saveDevLogin(ctx: Network & Storage, url: string, username: string, allowInsecureHttp: boolean): Promise<LoginResult> {
  const saved = await saveLogin(ctx, url, { method: 'dev', username, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) });
  return { ...saved, name: username };
}
