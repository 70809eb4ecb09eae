import { currentLogin, type ServerState, type State } from '../config/state.js';
import { AuthError, UsageError } from '../errors.js';
import { terminalSafe } from '../util/display-text.js';

// Which stored login a command means, and how logins are named to the user
// (`osmo switch`, `osmo logout`, and the hints of "not logged in" errors).

/** `URL (METHOD login as USER)`: the user name came from the service, so it is made safe. */
export function describeLogin(url: string, server: Pick<ServerState, 'method' | 'username'>): string {
  return `${url} (${server.method} login${server.username ? ` as ${terminalSafe(server.username)}` : ''})`;
}

/** The line `osmo switch` prints (SPEC.md section 2). */
export function switchedLine(url: string, server: Pick<ServerState, 'method' | 'username'>): string {
  return `Switched to ${describeLogin(url, server)}`;
}

/** Every stored login, described, for hints: `URL (token login as alice), URL2 (...)`. */
export function describeLogins(state: State, except?: string): string {
  return Object.entries(state.servers)
    .filter(([url]) => url !== except)
    .map(([url, server]) => describeLogin(url, server))
    .join(', ');
}

/**
 * The login `osmo switch [URL]` makes current: the one named; with no URL,
 * the only other stored login (two logins: the other one). Anything else is
 * a mistake that names the stored logins.
 */
export function chooseSwitch(state: State, url: string | undefined): { url: string; server: ServerState } {
  const stored = Object.keys(state.servers);
  if (url !== undefined) {
    const server = state.servers[url];
    if (server) return { url, server };
    throw noStoredLogin(state, url);
  }
  const current = currentLogin(state);
  const others = stored.filter((u) => u !== current);
  if (others.length === 1) return { url: others[0]!, server: state.servers[others[0]!]! };
  if (stored.length === 0) throw new UsageError('you are not logged in to any server', 'log in with `osmo login URL`');
  if (others.length === 0) {
    throw new UsageError(`${current} is your only stored login; there is nothing to switch to`, 'log in to another server with `osmo login URL`');
  }
  throw new UsageError(`${others.length} other logins are stored; say which one to switch to`, `run \`osmo switch URL\` with one of: ${describeLogins(state, current)}`);
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
