import type { Services, Storage } from '../services.js';
import { currentLogin, type ServerState, type State } from '../config/state.js';
import { ApiError, AuthError, ExitCode, NetworkError, OsmoError } from '../errors.js';
import { forcedStore, openStore } from '../store/choose-store.js';
import { storedServerUrl } from '../util/url.js';
import { todayUtc } from '../util/dates.js';
import { loginWithoutTokenHint } from '../util/login-hints.js';
import { readClaims, type OsmoClaims } from './jwt-claims.js';
import { patExpiryIn } from './pat-expiry.js';
import { recordPatExpiry } from './save-login.js';
import { storedCredentials } from './session.js';
import { noStoredLogin, notLoggedIn } from './login-names.js';
import { ENV_SOURCE, envUrl, loginInUse, loginTarget, openTarget, type Target } from './targets.js';

// What `osmo status` finds: every login, and whether its service accepts it.

export interface LoginCheck {
  status: 'ok' | 'refused' | 'unreachable' | 'failed' | 'not checked';
  /** What went wrong, one line; null when it worked or was not checked. */
  message: string | null;
  /** What to do about it. */
  hint: string | null;
  /** How `osmo status` ends when this is the login that counts. */
  exitCode: number;
}

export interface LoginStatus {
  url: string;
  /** undefined for OSMO_URL + OSMO_TOKEN. */
  server: ServerState | undefined;
  /** Where the credential comes from, as errors name it. */
  source: string;
  /** From the JWT now stored (renewed by the check when it had to be). */
  claims: OsmoClaims | undefined;
  /** `current` in the config file. */
  current: boolean;
  /** The login commands use now: OSMO_TOKEN's when set, else OSMO_URL's stored login, else the current one. */
  inUse: boolean;
  check: LoginCheck;
}

export interface StatusOptions {
  /** Only this server's login. */
  url?: string;
  online: boolean;
}

/**
 * Every stored login (or the one asked for), and OSMO_URL + OSMO_TOKEN as a
 * login of its own, each checked against its service in parallel unless
 * offline. `failure` is what `osmo status` ends with: the current login (or
 * the one asked for) does not work, or there is none.
 */
export async function loginStatuses(ctx: Services, opts: StatusOptions): Promise<{ logins: LoginStatus[]; failure: OsmoError | undefined }> {
  forcedStore(ctx.env);
  const state = await ctx.state();
  const url = opts.url === undefined ? undefined : storedServerUrl(opts.url, Object.keys(state.servers));
  if (url !== undefined && !state.servers[url]) throw noStoredLogin(state, url);
  const current = currentLogin(state);
  const envToken = Boolean(ctx.env.OSMO_TOKEN?.trim());
  // The login other commands would use now: OSMO_URL's, else the current one.
  let inUse: string | undefined;
  let noLoginInUse: OsmoError = notLoggedIn(state);
  try {
    inUse = envToken ? undefined : loginInUse(state, ctx.env);
  } catch (err) {
    if (!(err instanceof OsmoError)) throw err;
    noLoginInUse = err;
  }
  const urls = url !== undefined ? [url] : orderedLogins(state, inUse ?? current);
  const checks = urls.map((u) => storedStatus(ctx, u, state.servers[u]!, u === inUse, opts.online));
  if (envToken && url === undefined) checks.unshift(envStatus(ctx, opts.online));
  const logins = (await Promise.all(checks)).map((login) => ({ ...login, current: login.server !== undefined && login.url === state.current }));
  const decides = url !== undefined ? logins[0] : logins.find((l) => l.inUse);
  return { logins, failure: decides ? statusFailure(decides) : noLoginInUse };
}

/** The error `osmo status` ends with when the login that counts does not work. */
function statusFailure(login: LoginStatus): OsmoError | undefined {
  const { check } = login;
  if (check.status === 'ok' || check.status === 'not checked') return undefined;
  const who = login.server ? `the ${login.inUse && login.current ? 'current ' : ''}login for ${login.url}${login.inUse && !login.current ? ' (named by OSMO_URL)' : ''}` : `the login from OSMO_URL and OSMO_TOKEN (${login.url})`;
  const what = check.status === 'refused' ? 'does not work' : 'could not be checked';
  return new OsmoError(`${who} ${what}: ${check.message}`, check.exitCode, check.hint ?? undefined);
}

function orderedLogins(state: State, current: string | undefined): string[] {
  const urls = Object.keys(state.servers);
  return current ? [current, ...urls.filter((u) => u !== current)] : urls;
}

type Found = Omit<LoginStatus, 'current'>;

async function storedStatus(ctx: Services, url: string, server: ServerState, inUse: boolean, online: boolean): Promise<Found> {
  const found: Found = { url, server, source: `the stored ${server.method} login for ${url}`, claims: undefined, inUse, check: NOT_CHECKED };
  if (!online) {
    try {
      return { ...found, claims: await storedClaims(ctx, url, server) };
    } catch (err) {
      return { ...found, check: failedCheck(err) };
    }
  }
  let target: Target | undefined;
  try {
    target = await loginTarget(ctx, url, server);
    const patExpiresAt = await prove(target, server);
    if (patExpiresAt && patExpiresAt !== server.patExpiresAt) await recordPatExpiry(ctx, url, patExpiresAt);
    const jwt = await target.jwtSession?.storedJwt();
    return { ...found, server: { ...server, patExpiresAt: patExpiresAt ?? server.patExpiresAt }, claims: jwt ? readClaims(jwt) : undefined, check: OK };
  } catch (err) {
    const jwt = await target?.jwtSession?.storedJwt().catch(() => undefined);
    return { ...found, claims: jwt ? readClaims(jwt) : undefined, check: failedCheck(err) };
  }
}

async function envStatus(ctx: Services, online: boolean): Promise<Found> {
  const found: Found = { url: envUrl(ctx.env), server: undefined, source: ENV_SOURCE, claims: undefined, inUse: true, check: NOT_CHECKED };
  if (!online) return found;
  try {
    // The exchange is the check: it proves the PAT, and its JWT names the user.
    const target = await openTarget(ctx);
    return { ...found, claims: readClaims(await target.jwt!()), check: OK };
  } catch (err) {
    return { ...found, check: failedCheck(err) };
  }
}

/**
 * One cheap authenticated request (the caller's own token list), after a
 * renewal when the JWT is stale. For a token login a renewal is the PAT
 * exchange, which already proves the PAT; otherwise the list must still name
 * the PAT, since a JWT outlives a PAT deleted on the service. Returns the
 * PAT's expiry when the list showed it.
 */
async function prove(target: Target, server: ServerState): Promise<string | undefined> {
  if (server.method === 'token' && target.jwtSession && !(await target.jwtSession.hasFreshJwt())) {
    await target.jwtSession.validJwt();
    return undefined;
  }
  const tokens = await target.client.listTokens();
  const name = server.method === 'token' ? (server.tokenName ?? readClaims((await target.jwtSession?.storedJwt()) ?? '')?.osmo_token_name) : undefined;
  if (!name) return undefined;
  // The service no longer has this token: no rotate or expiry advice, and no \`osmo token set\` through a login that is going.
  const again = loginWithoutTokenHint(target.url);
  const expiresAt = patExpiryIn(tokens, name);
  if (expiresAt === undefined) throw new AuthError(`the access token ${name} no longer exists on the service`, again);
  if (expiresAt <= todayUtc(new Date())) throw new AuthError(`the access token ${name} expired on ${expiresAt}`, again);
  return expiresAt;
}

/** Offline: the claims of the stored JWT, fresh or not; reading the store is the only check. */
async function storedClaims(ctx: Storage, url: string, server: ServerState): Promise<OsmoClaims | undefined> {
  if (server.method === 'dev') return undefined;
  const store = await openStore(server.store ?? 'file', ctx);
  const secrets = storedCredentials(await store.get(url), url, `run \`osmo login ${url} --method ${server.method}\` again`);
  return secrets.jwt ? readClaims(secrets.jwt) : undefined;
}

const OK: LoginCheck = { status: 'ok', message: null, hint: null, exitCode: ExitCode.ok };
const NOT_CHECKED: LoginCheck = { status: 'not checked', message: null, hint: null, exitCode: ExitCode.ok };

function failedCheck(err: unknown): LoginCheck {
  if (!(err instanceof OsmoError)) throw err;
  const refused = err instanceof AuthError || (err instanceof ApiError && err.exitCode === ExitCode.user);
  const status = refused ? 'refused' : err instanceof NetworkError ? 'unreachable' : 'failed';
  return { status, message: err.message, hint: err.hint ?? null, exitCode: err.exitCode };
}
