import { AuthError } from '../errors.js';
import type { OsmoClient } from '../api/client.js';
import type { Renew } from './session.js';
import { readClaims } from './jwt-claims.js';

/** Renews a token login: exchange the stored PAT for a new JWT. */
export function patRenewer(client: OsmoClient): Renew {
  return async (current) => {
    if (!current.pat) throw new AuthError('no access token is stored for this server', `run \`osmo login ${client.baseUrl} --method token\` again`);
    const { jwt, expiresAt } = await client.exchangePat(current.pat);
    return { ...current, jwt, jwtExpiresAt: expiresAt ?? readClaims(jwt)?.exp };
  };
}
