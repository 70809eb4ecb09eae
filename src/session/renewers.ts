import { UsageError } from '../errors.js';
import type { OsmoClient } from '../api/client.js';
import type { ServerState } from '../config/state.js';
import type { Context } from '../context.js';
import type { Renew } from './session.js';
import { patRenewer } from './pat-renew.js';

/** How a stored login gets its next JWT: PAT exchange, or an OAuth refresh. */
export async function renewerFor(server: ServerState, anonymous: OsmoClient, ctx: Context): Promise<Renew> {
  switch (server.method) {
    case 'token':
      return patRenewer(anonymous);
    case 'pkce':
    case 'code':
    case 'password': {
      const { oauthRenewer } = await import('../oauth/refresh.js');
      return oauthRenewer(server, ctx);
    }
    default:
      throw new UsageError(`the stored login method "${server.method}" does not use tokens`);
  }
}
