import { ApiError } from '../errors.js';

/** The service's own words when a token name is taken (`Access token NAME already exists`). */
const ALREADY_EXISTS = /already exists/i;

/**
 * Adds what to do next to the service's bare answers about tokens: a 403 for
 * `-u` means the login is not an administrator's, and a taken name at
 * `token set` has `token rotate` for replacing it. Use as `.catch(tokenHints(opts))`;
 * `name` only where a new token of that name is being created.
 */
export function tokenHints(opts: { user?: string; name?: string }): (err: unknown) => Promise<never> {
  return async (err) => {
    if (err instanceof ApiError && !err.hint) {
      if (err.status === 403 && opts.user !== undefined) {
        throw new ApiError(err.message, err.status, 'acting for another user (-u/--user) needs the osmo-admin role; leave out -u for your own tokens');
      }
      if (opts.name !== undefined && err.status >= 400 && err.status < 500 && ALREADY_EXISTS.test(err.message)) {
        const { shellCommand } = await import('../util/shell-words.js');
        const rotate = shellCommand(['osmo', 'token', 'rotate', opts.name, ...(opts.user ? ['--user', opts.user] : [])]);
        throw new ApiError(err.message, err.status, `\`${rotate}\` replaces it with a new token (add --new-name NEW to give that one another name); or choose another name`);
      }
    }
    throw err;
  };
}
