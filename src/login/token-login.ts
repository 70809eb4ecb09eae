import type { Services } from '../services.js';
import { displayName, readClaims } from '../session/jwt-claims.js';
import { chooseStore, saveLogin, type SavedLogin } from '../session/save-login.js';
import { lookUpPatExpiry, patExpiryWarning } from '../session/pat-expiry.js';

export interface LoginResult extends SavedLogin {
  /** Who the service says we are. */
  name: string;
}

/** Exchanges the PAT once (proving it works) and keeps both it and the JWT. */
export async function tokenLogin(ctx: Services, url: string, pat: string, allowInsecureHttp: boolean): Promise<LoginResult> {
  const choice = await chooseStore(ctx);
  const client = await ctx.client(url);
  const { jwt, expiresAt } = await client.exchangePat(pat);
  const claims = readClaims(jwt);
  const tokenName = claims?.osmo_token_name;
  const patExpiresAt = await lookUpPatExpiry(ctx, url, jwt, tokenName);
  const warning = patExpiryWarning(tokenName, patExpiresAt, new Date(), url);
  if (warning) ctx.warn(warning);
  const saved = await saveLogin(
    ctx,
    url,
    { method: 'token', username: claims?.unique_name, tokenName, patExpiresAt, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) },
    { secrets: { pat, jwt, jwtExpiresAt: expiresAt ?? claims?.exp }, choice },
  );
  return { ...saved, name: displayName(claims) ?? 'user' };
}

/** Developer mode: the service trusts x-osmo-user, so there is no secret to keep. */
export async function devLogin(ctx: Services, url: string, username: string, allowInsecureHttp: boolean): Promise<LoginResult> {
  const saved = await saveLogin(ctx, url, { method: 'dev', username, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) });
  return { ...saved, name: username };
}
