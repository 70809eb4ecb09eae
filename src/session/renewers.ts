import { UsageError } from '../errors.js';
import type { OsmoClient } from '../api/client.js';
import type { ServerState } from '../config/state.js';
import type { Network } from '../services.js';
import type { Renew } from './session.js';
import { patRenewer } from './pat-renew.js';

/** How a stored login gets its next JWT: PAT exchange, or an OAuth refresh. */
export function renewerFor(server: ServerState, url: string, anonymous: OsmoClient, ctx: Network): Renew {
  switch (server.method) {
    case 'token':
      return patRenewer(anonymous);
    case 'pkce':
    case 'code':
    case 'password':
      // The OAuth library loads only when a renewal is due, not on every command.
      return async (current, keep) => (await import('./oauth-renew.js')).oauthRenewer(server, url, ctx)(current, keep);
    default:
      throw new UsageError(`the stored login method "${server.method}" does not use tokens`);
  }
}
