import type { Authenticator } from '../api/client.js';
import type { AccessToken } from '../api/schemas.js';
import { patExpiryFact } from '../api/service-warning.js';
import type { Network, Terminal } from '../services.js';
import { datePart } from '../util/dates.js';
import { todayUtc } from '../util/dates.js';
import { loginWithoutTokenHint } from '../util/login-hints.js';

/** Warn this many days ahead, as the service itself does for its Python client. */
export const PAT_WARNING_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * The warning for a PAT that expires soon, or undefined. It is computed from
 * what the client already knows (the expiry recorded at login or by
 * `token list`), so the hot path pays no request for it.
 */
export function patExpiryWarning(tokenName: string | undefined, expiresAt: string | undefined, now: Date, url: string): string | undefined {
  if (!expiresAt) return undefined;
  const day = datePart(expiresAt);
  const days = Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${todayUtc(now)}T00:00:00Z`)) / DAY_MS);
  if (Number.isNaN(days) || days > PAT_WARNING_DAYS) return undefined;
  const name = tokenName ? `access token ${tokenName}` : 'access token';
  const when = days <= 0 ? `expired on ${day}` : `expires on ${day} (in ${days} day${days === 1 ? '' : 's'})`;
  // While it still works, a rotation replaces it and moves the login over in one step.
  // Once expired no login works with it: \`osmo token set\` alone would need one.
  const advice = days > 0 && tokenName ? `rotate it with \`osmo token rotate ${tokenName}\`` : days > 0 ? `create a new one with \`osmo token set\` and run \`osmo login ${url} --method token\` with it` : loginWithoutTokenHint(url);
  return `the ${name} behind this login ${when}; ${advice}`;
}

/** The expiry date (YYYY-MM-DD) of the PAT named `tokenName` in a token list; undefined when the list does not hold it. */
export function patExpiryIn(tokens: AccessToken[], tokenName: string | undefined): string | undefined {
  const token = tokenName === undefined ? undefined : tokens.find((t) => t.token_name === tokenName);
  return token && datePart(token.expires_at);
}

/** Warns (once per command) when the PAT behind a token login expires soon. */
export function warnIfPatExpiring(ctx: Pick<Terminal, 'warn'>, tokenName: string | undefined, expiresAt: string | undefined, url: string): void {
  const warning = patExpiryWarning(tokenName, expiresAt, new Date(), url);
  if (warning) ctx.warn(warning, patExpiryFact(tokenName));
}

/**
 * At login only: one list request to learn when the PAT just used expires,
 * and the warning when that is soon. Best effort: a service that refuses the
 * request costs nothing but the warning. Warnings the service attaches to
 * its answer are told after osmo's own, so a fact both state (the PAT's
 * expiry) is told once, in osmo's words.
 */
export async function lookUpPatExpiry(ctx: Network & Terminal, url: string, jwt: string, tokenName: string | undefined): Promise<string | undefined> {
  if (!tokenName) return undefined;
  const bearer: Authenticator = {
    source: 'the new login',
    recovery: '',
    authHeaders: async () => ({ authorization: `Bearer ${jwt}` }),
    renewAfterUnauthorized: async () => false,
  };
  const held: Array<[string, string | undefined]> = [];
  let expiresAt: string | undefined;
  try {
    const tokens = await (await ctx.client(url, bearer, (message, fact) => held.push([message, fact]))).listTokens();
    expiresAt = patExpiryIn(tokens, tokenName);
  } catch {
    expiresAt = undefined;
  }
  warnIfPatExpiring(ctx, tokenName, expiresAt, url);
  for (const [message, fact] of held) ctx.warn(message, fact);
  return expiresAt;
}
