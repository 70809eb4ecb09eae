import type { Storage } from '../services.js';
import { currentLogin, type ServerState, type State } from '../config/state.js';
import { UsageError } from '../errors.js';
import { describeLogin, describeLogins, noStoredLogin } from './login-names.js';

// `osmo switch`, and `osmo login URL` of a server already logged in to:
// which stored login becomes current, and making it so.

/** The line `osmo switch` prints (SPEC.md section 2). */
export function switchedLine(url: string, server: Pick<ServerState, 'method' | 'username'>): string {
  return `Switched to ${describeLogin(url, server)}`;
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

/** Makes an already logged-in server the current one; undefined when there is no login to switch to. */
export async function switchTo(ctx: Storage, url: string): Promise<ServerState | undefined> {
  const lock = await ctx.lock();
  return lock(async () => {
    const state = await ctx.state();
    const server = state.servers[url];
    if (!server) return undefined;
    if (state.current !== url) {
      state.current = url;
      await ctx.saveState(state);
    }
    return server;
  });
}
