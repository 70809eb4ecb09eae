import { AuthError } from '../errors.js';
import type { ServerState } from '../config/state.js';
import type { Network } from '../services.js';
import type { Renew } from './session.js';
import { checkOAuthEndpoint } from '../oauth/endpoints.js';
import { OAuthRefused } from '../oauth/oauth-errors.js';
import { OAuthProvider } from '../oauth/provider.js';

/**
 * Renews a pkce, code or password login with the refresh_token grant. The
 * session calls it under the config-directory lock and stores what it
 * returns, so a rotated refresh token replaces the used one exactly once.
 */
export function oauthRenewer(server: ServerState, url: string, ctx: Network): Renew {
  return async (current, keep) => {
    const who = server.method === 'password' ? ` --username ${server.username ?? 'USER'} --password-file FILE` : '';
    const again = `run \`osmo login ${url} --method ${server.method}${who}\` again`;
    if (!current.refreshToken || !server.tokenEndpoint || !server.clientId) {
      throw new AuthError(`the ${server.method} login for ${url} has expired and holds no refresh token to renew it`, again);
    }
    const tokenEndpoint = checkOAuthEndpoint(server.tokenEndpoint, 'stored token endpoint');
    const provider = new OAuthProvider({ tokenEndpoint, clientId: server.clientId }, await ctx.transport(), again);
    try {
      const tokens = await provider.refresh(current.refreshToken, async (rotated) => {
        try {
          await keep({ ...current, refreshToken: rotated });
        } catch (err) {
          // The one stored before is used up: without the new one the login is gone, so say so and stop.
          const reason = err instanceof Error ? err.message : String(err);
          throw new AuthError(`the identity provider replaced the refresh token of the ${server.method} login for ${url}, but the new one could not be stored (${reason}); the stored one no longer works`, `fix that, then ${again}`);
        }
      });
      return { ...current, refreshToken: tokens.refreshToken ?? current.refreshToken, jwt: tokens.bearer, jwtExpiresAt: tokens.expiresAt };
    } catch (err) {
      // invalid_grant: the refresh token expired, was revoked, or was already used.
      if (err instanceof OAuthRefused && err.error === 'invalid_grant') {
        throw new AuthError(`the ${server.method} login for ${url} has expired or was revoked (${err.detail})`, again);
      }
      throw err;
    }
  };
}
