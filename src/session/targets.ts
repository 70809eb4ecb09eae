import type { Authenticator, OsmoClient } from '../api/client.js';
import type { Network, Services, Settings, Storage } from '../services.js';
import { currentLogin, type ServerState, type State } from '../config/state.js';
import { AuthError, UsageError } from '../errors.js';
import { forcedStore, openStore } from '../store/choose-store.js';
import { MemoryStore } from '../store/credential-store.js';
import { isInsecureRemote, normalizeServerUrl } from '../util/url.js';
import { loginWithoutTokenHint } from '../util/login-hints.js';
import { warnIfPatExpiring } from './pat-expiry.js';
import { patRenewer } from './pat-renew.js';
import { renewerFor } from './renewers.js';
import { DevSession, JwtSession } from './session.js';
import { notLoggedIn } from './login-names.js';
import { noLock, type Lock } from '../config/lock-type.js';

// Everything an API command needs before its first request, imported
// statically so that it loads in one go rather than import by import.

/** The server a command acts on and how it authenticates there. */
export interface Target {
  url: string;
  client: OsmoClient;
  session: Authenticator;
  /** undefined in CI mode (OSMO_URL + OSMO_TOKEN). */
  server?: ServerState;
  /** A JWT valid for at least 30 s more, renewed first when needed; undefined for a dev login (no token exists). */
  jwt?: () => Promise<string>;
  /** The JWT session behind `session`, except for a dev login. */
  jwtSession?: JwtSession;
}

/** The current login (or OSMO_URL + OSMO_TOKEN), ready for API calls. */
export async function openTarget(ctx: Services): Promise<Target> {
  // A mistyped OSMO_CREDENTIAL_STORE is an error for every command, not only at login.
  forcedStore(ctx.env);
  const envToken = ctx.env.OSMO_TOKEN?.trim();
  if (envToken) return envTarget(ctx, envToken);
  const state = await ctx.state();
  const url = loginInUse(state, ctx.env);
  const server = url ? state.servers[url] : undefined;
  if (!url || !server) throw notLoggedIn(state);
  // Told once the PAT is known to work: a token the service refused needs no rotate advice.
  const patWorks = server.method === 'token' ? () => warnIfPatExpiring(ctx, server.tokenName, server.patExpiresAt, url) : undefined;
  return loginTarget(ctx, url, server, patWorks);
}

/**
 * The stored login a command uses: with OSMO_URL set (and OSMO_TOKEN empty),
 * the one for that server, for this command only and never another one;
 * else the current login.
 */
export function loginInUse(state: State, env: NodeJS.ProcessEnv): string | undefined {
  const rawUrl = env.OSMO_URL?.trim();
  if (!rawUrl) return currentLogin(state);
  const url = normalizeServerUrl(rawUrl);
  if (state.servers[url]) return url;
  throw new UsageError(
    `OSMO_URL is set to ${url} but there is no login for it, and OSMO_TOKEN is empty`,
    `log in with \`osmo login ${url}\`, set OSMO_TOKEN to a personal access token for it, or unset OSMO_URL to use your current login`,
  );
}

/** A stored login, current or not, ready for API calls. */
export function loginTarget(ctx: Services, url: string, server: ServerState, onFirstJwt?: () => void): Promise<Target> {
  return server.method === 'dev' ? devTarget(ctx, url, server) : storedTarget(ctx, url, server, onFirstJwt);
}

async function devTarget(ctx: Network, url: string, server: ServerState): Promise<Target> {
  const session = new DevSession(server.username ?? '');
  return { url, server, session, client: await ctx.client(url, session) };
}

async function storedTarget(ctx: Services, url: string, server: ServerState, onFirstJwt?: () => void): Promise<Target> {
  const store = await openStore(server.store ?? 'file', ctx);
  const session = new JwtSession({
    account: url,
    store,
    lock: lazyLock(ctx, url),
    writeLock: lazyLock(ctx),
    renew: renewerFor(server, url, await ctx.client(url), ctx),
    nowSeconds: secondsClock(ctx),
    source: `the stored ${server.method} login for ${url}`,
    recovery: `run \`osmo login ${url} --method ${server.method}\` again`,
    onFirstJwt,
  });
  return { url, server, session, client: await ctx.client(url, session), jwt: () => session.validJwt(), jwtSession: session };
}

// CI mode: nothing is read from or written to the config directory.
async function envTarget(ctx: Services, pat: string): Promise<Target> {
  const url = envUrl(ctx.env);
  const store = new MemoryStore();
  await store.set(url, { pat });
  const renew = patRenewer(await ctx.client(url));
  const session = new JwtSession({
    account: url,
    store,
    lock: noLock,
    // A stale OSMO_TOKEN silently hides a good stored login: name it, and the way out.
    renew: (secrets, keep) => renew(secrets, keep).catch(async (err: unknown) => Promise.reject(await envTokenRefused(ctx, err))),
    nowSeconds: secondsClock(ctx),
    source: ENV_SOURCE,
    recovery: 'set OSMO_TOKEN to a valid personal access token, or unset it to use your stored login',
  });
  return { url, session, client: await ctx.client(url, session), jwt: () => session.validJwt(), jwtSession: session };
}

export const ENV_SOURCE = 'OSMO_TOKEN in the environment';

/** The injected clock in the seconds JwtSession counts in; undefined: the real one. */
function secondsClock(ctx: Settings): (() => number) | undefined {
  const now = ctx.now;
  return now && (() => now() / 1000);
}

/** OSMO_URL, checked: the server OSMO_TOKEN is for. */
export function envUrl(env: NodeJS.ProcessEnv): string {
  const rawUrl = env.OSMO_URL?.trim();
  if (!rawUrl) throw new UsageError('OSMO_TOKEN is set but OSMO_URL is not', 'set OSMO_URL to the service URL, e.g. https://osmo.example.com');
  const url = normalizeServerUrl(rawUrl);
  if (isInsecureRemote(url) && env.OSMO_ALLOW_INSECURE_HTTP !== '1') {
    throw new UsageError(`refusing to send OSMO_TOKEN over plain http:// to ${new URL(url).host}`, 'use https://, or set OSMO_ALLOW_INSECURE_HTTP=1 if you accept the risk');
  }
  return url;
}

async function envTokenRefused(ctx: Settings & Storage, err: unknown): Promise<unknown> {
  if (!(err instanceof AuthError)) return err;
  // Only the hint depends on the stored state; a broken config file must not hide the real error.
  let stored: string | undefined;
  try {
    stored = currentLogin(await ctx.state());
  } catch {
    stored = undefined;
  }
  return new AuthError(
    `OSMO_TOKEN in the environment was refused: ${err.message}`,
    stored ? `unset OSMO_TOKEN to use your stored login for ${stored}, or set OSMO_TOKEN to a valid token` : `set OSMO_TOKEN to a valid personal access token; to make one, ${loginWithoutTokenHint(envUrl(ctx.env))}`,
  );
}

/** The cross-process lock is loaded only when a JWT must actually be renewed. */
function lazyLock(ctx: Storage, server?: string): Lock {
  return async (fn) => (await ctx.lock(server))(fn);
}
