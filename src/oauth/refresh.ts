import { AuthError } from '../errors.js';
import type { ServerState } from '../config/state.js';
import type { Context } from '../context.js';
import type { Renew } from '../session/session.js';

/** Placeholder until the OAuth methods land: an OAuth login cannot be renewed yet. */
export function oauthRenewer(_server: ServerState, _ctx: Context): Renew {
  return async () => {
    throw new AuthError('OAuth logins are not supported yet', 'log in with `--method token`');
  };
}
