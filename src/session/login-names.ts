import { currentLogin, type ServerState, type State } from '../config/state.js';
import { AuthError, UsageError } from '../errors.js';
import { terminalSafe } from '../util/display-text.js';

// How stored logins are named to the user: in `osmo switch` and `osmo
// logout`, and in the hints of "not logged in" errors.

/** `URL (METHOD login as USER)`: the user name came from the service, so it is made safe. */
export function describeLogin(url: string, server: Pick<ServerState, 'method' | 'username'>): string {
  return `${url} (${server.method} login${server.username ? ` as ${terminalSafe(server.username)}` : ''})`;
}

/** Every stored login, described, for hints: `URL (token login as alice), URL2 (...)`. */
export function describeLogins(state: State, except?: string): string {
  return Object.entries(state.servers)
    .filter(([url]) => url !== except)
    .map(([url, server]) => describeLogin(url, server))
    .join(', ');
}

/** A server without a stored login was named; say which ones have one. */
export function noStoredLogin(state: State, url: string): UsageError {
  const stored = Object.keys(state.servers).length > 0;
  return new UsageError(`no stored login for ${url}`, stored ? `stored logins: ${describeLogins(state)}; or log in with \`osmo login ${url}\`` : `log in with \`osmo login ${url}\``);
}

/** "Not logged in", naming the stored logins that `osmo switch` could make current. */
export function notLoggedIn(state: State): AuthError {
  const stored = Object.keys(state.servers);
  if (stored.length === 0) {
    return new AuthError('you are not logged in', `run \`osmo login URL\` (a browser; \`--method code\` for a device code), or log in with a token from the OSMO web UI: \`osmo login URL --token-file FILE\` (or set OSMO_URL and OSMO_TOKEN)`);
  }
  const why = state.current ? `you logged out of ${state.current}` : 'no server is current';
  const hint = stored.length === 1
    ? `your login for ${stored[0]} is still stored: run \`osmo switch ${stored[0]}\``
    : `run \`osmo switch URL\` with one of: ${describeLogins(state)}`;
  return new AuthError(`there is no current login (${why})`, hint);
}

/** After the current login was removed: the logins left, and how to make one current; undefined when there is nothing to say. */
export function stillLoggedIn(state: State): string | undefined {
  if (currentLogin(state)) return undefined;
  const stored = Object.keys(state.servers);
  if (stored.length === 0) return undefined;
  if (stored.length === 1) return `Note: you are still logged in to ${describeLogins(state)}; switch to it with \`osmo switch ${stored[0]}\``;
  return `Note: you are still logged in to ${stored.length} other servers: ${describeLogins(state)}; switch with \`osmo switch URL\``;
}
