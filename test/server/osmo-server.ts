/**
 * A local OSMO service for end-to-end tests and the demo: real HTTP(S) on
 * 127.0.0.1, in-memory state, and the quirks of a real deployment rather than
 * an idealized one.
 *
 *   const srv = await startOsmoServer();            // srv.url = http://127.0.0.1:PORT
 *   const pat = srv.issuePat('user@example.com', 'ci-token');
 *   srv.fault({ route: 'POST /api/auth/jwt/access_token', status: 502, body: '<html>Bad Gateway</html>' });
 *   ...; assert.equal(srv.count('POST /api/auth/jwt/access_token'), 1);
 *   await srv.close();
 *
 * What it imitates:
 * - `/api/auth/*` (see /work/shared/osmo-auth-openapi.json) behind a gateway that
 *   verifies `Authorization: Bearer JWT` and answers PLAIN-TEXT 401 (`Jwt is
 *   missing|expired|verification fails`, with WWW-Authenticate) and 403 `access
 *   denied`; FastAPI's JSON 404/405/422; 400 `{message, error_code, workflow_id}`;
 *   a bare 500 `Internal Server Error` for a malformed `expires_at`.
 * - PAT→JWT exchange issuing RS256 JWTs with the real claims (iss/aud "osmo",
 *   unique_name, roles, osmo_token_name; no sub/name/email), 300 s by default.
 * - User management for `osmo-admin` callers (user-routes.ts): users, their
 *   roles, and the cascades to their PATs.
 * - `x-osmo-warning` only for callers that send `x-osmo-client-version`.
 * - Dev mode (default on): `x-osmo-user: NAME` without Authorization is trusted.
 * - An OIDC provider under /oauth/ (device, authorize+PKCE, token, jwks, logout),
 *   steered through `srv.oauth`; `GET /api/auth/login` points at it.
 * Every request is recorded and counted, faulted or not; queued faults apply
 * before normal handling. Run standalone with `tsx test/server/main.ts`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { apiRoutes, type IdentityProvider } from './api-routes.js';
import { FaultQueue, faultReply, send, sendTrickled, sendTruncated, type Fault } from './faults.js';
import { hostileClaims, hostileReply } from './hostile.js';
import { dispatch, internalError, json, type Reply, type Req } from './http-kit.js';
import { JwtSigner } from './jwt.js';
import { createOAuthProvider, type OAuthControls } from './oauth.js';
import { addDays, dayNumber, PatStore, pythonIsoNow } from './pat-store.js';
import { UserStore } from './user-store.js';

export type { Fault } from './faults.js';
export type { OAuthControls } from './oauth.js';
export type { IdentityProvider } from './api-routes.js';

export interface OsmoServerOptions {
  /** Lifetime of issued JWTs and OAuth access tokens; default 300. */
  jwtLifetimeSeconds?: number;
  /** Default true: accept `x-osmo-user: NAME` without Authorization. */
  devMode?: boolean;
  /**
   * user -> roles: the users the service has stored (`osmo user list` shows
   * them). Users it has not stored act with ['osmo-user'].
   */
  users?: Record<string, string[]>;
  /** Roles that exist besides those of `users`; default osmo-admin, osmo-user, osmo-ml-team. */
  roles?: string[];
  /** Longest PAT lifetime the service allows, in days; default 365. */
  maxTokenDays?: number;
  port?: number;
  /** Serve https instead of http. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * How long the PAT→JWT exchange takes to answer, in ms, as on a real OSMO
   * service, which loads its 4096-bit signing key twice per exchange (about
   * 500 ms). Default: OSMO_TEST_EXCHANGE_DELAY_MS from the environment, else 0.
   */
  exchangeDelayMs?: number;
  /**
   * Another OpenID provider in place of the one under /oauth/ (see
   * test/helpers/oidc-provider.ts): `GET /api/auth/login` names it, and the
   * gateway accepts the ID tokens it signs.
   */
  identityProvider?: IdentityProvider;
  /**
   * The clock JWTs are issued and checked by, ms since the epoch; default
   * Date.now. A test that ages tokens moves this and osmo's clock together
   * (test/helpers/in-process.ts) instead of sleeping.
   */
  now?: () => number;
  /**
   * A hostile service and identity provider (see hostile.ts): terminal escapes
   * and line breaks in every text field returned, and OAuth errors that echo
   * the request, secrets included.
   */
  hostile?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface IssuePatOptions {
  /** YYYY-MM-DD; may be in the past to seed an expired token. Default today + 31 days. */
  expiresAt?: string;
  /** Default: the user's roles. */
  roles?: string[];
  description?: string;
  /** Who the roles show as assigned by; default the user. */
  assignedBy?: string;
}

export interface OsmoServer {
  /** http(s)://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Stops listening and destroys open sockets. */
  close(): Promise<void>;
  /** Requests seen for 'METHOD /exact/path' (query excluded); all requests when omitted. */
  count(route?: string): number;
  requests: RecordedRequest[];
  /** Forgets counts and recorded requests. */
  resetCounts(): void;
  fault(f: Fault): void;
  clearFaults(): void;
  /** Seeds a PAT without any of the service's checks; returns its secret. */
  issuePat(user: string, name: string, opts?: IssuePatOptions): string;
  /** Seeds a stored user without any of the service's checks (for many users at once). */
  addUser(id: string, roles?: string[], createdBy?: string | null): void;
  setJwtLifetime(seconds: number): void;
  /** Every JWT issued so far fails verification from now on. */
  rotateSigningKey(): void;
  oauth: OAuthControls;
}

const EXCHANGE_PATH = '/api/auth/jwt/access_token';

/** OSMO_TEST_EXCHANGE_DELAY_MS: `OSMO_TEST_EXCHANGE_DELAY_MS=500 npm test` runs every test against a realistically slow exchange. */
export function exchangeDelayFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.OSMO_TEST_EXCHANGE_DELAY_MS;
  if (raw === undefined || raw === '') return 0;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`OSMO_TEST_EXCHANGE_DELAY_MS must be a number of milliseconds, not "${raw}"`);
  return ms;
}

const DEFAULT_ROLES = ['osmo-admin', 'osmo-user', 'osmo-ml-team'];

const DEFAULT_USERS: Record<string, string[]> = {
  'user@example.com': ['osmo-user', 'osmo-ml-team'],
  'admin@example.com': ['osmo-admin', 'osmo-user'],
};

export async function startOsmoServer(opts: OsmoServerOptions = {}): Promise<OsmoServer> {
  let lifetime = opts.jwtLifetimeSeconds ?? 300;
  let url = '';
  const users = new UserStore(opts.roles ?? DEFAULT_ROLES);
  for (const [id, roles] of Object.entries(opts.users ?? DEFAULT_USERS)) users.add(id, roles, null);
  const rolesOf = (user: string): string[] => users.roleNames(user) ?? ['osmo-user'];
  const signer = new JwtSigner(opts.hostile ? hostileClaims : undefined);
  const store = new PatStore();
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const exchangeDelayMs = opts.exchangeDelayMs ?? exchangeDelayFromEnv(process.env);
  const now = opts.now ?? Date.now;
  const nowSeconds = (): number => Math.floor(now() / 1000);

  const oauth = createOAuthProvider({
    signer, rolesOf, baseUrl: () => url, lifetime: () => lifetime, nowSeconds,
    defaultUser: Object.keys(opts.users ?? DEFAULT_USERS)[0] ?? 'user@example.com',
  });
  const routes = [
    ...apiRoutes({
      store, users, signer, rolesOf, baseUrl: () => url, lifetime: () => lifetime, nowSeconds,
      devMode: opts.devMode ?? true, maxTokenDays: opts.maxTokenDays ?? 365, identityProvider: opts.identityProvider,
    }),
    ...oauth.routes,
  ];

  // Tracked so close() does not leave a delayed fault holding the event loop open.
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });

  async function answer(req: Req): Promise<Reply> {
    try {
      return (await dispatch(routes, req)) ?? json(404, { detail: 'Not Found' });
    } catch (err) {
      console.error('osmo test server: handler failed:', err);
      return internalError();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Prefixing the origin keeps a path like '//x' a path instead of a host.
    const target = new URL(`http://127.0.0.1${req.url ?? '/'}`);
    const method = req.method ?? 'GET';
    const path = target.pathname;
    // Counted on arrival: a client that gives up before its body is read still made the request.
    const recorded: RecordedRequest = { method, path, query: target.search.slice(1), headers: { ...req.headers }, body: '' };
    requests.push(recorded);
    counts.set(`${method} ${path}`, (counts.get(`${method} ${path}`) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    recorded.body = body;

    const fault = faults.take(method, path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.hold) await fault.hold.catch(() => undefined);
    if (fault?.drop === 'immediately') {
      req.socket.destroy();
      return;
    }
    if (fault?.status === undefined && path === EXCHANGE_PATH && exchangeDelayMs > 0) await sleep(exchangeDelayMs);
    let reply = fault?.status !== undefined
      ? faultReply({ ...fault, status: fault.status })
      : await answer({ method, path, query: target.searchParams, headers: req.headers, body });
    if (opts.hostile) reply = hostileReply(reply, path, body);
    Object.assign(reply.headers, fault?.headers);
    if (fault?.drop === 'mid-body') sendTruncated(res, reply);
    else if (fault?.trickleMs) await sendTrickled(res, reply, fault.trickleMs, sleep);
    else send(res, reply);
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      console.error('osmo test server: request failed:', err);
      res.destroy();
    });
  };
  const server = opts.tls ? createHttpsServer(opts.tls, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    close: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
    count: (route) => (route === undefined ? requests.length : counts.get(route) ?? 0),
    requests,
    resetCounts: () => {
      counts.clear();
      requests.length = 0; // in place: callers may hold the array
    },
    fault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    issuePat: (user, name, o = {}) => {
      const expiresAt = o.expiresAt ?? addDays(31);
      if (dayNumber(expiresAt) === null) throw new Error(`issuePat: expiresAt must be YYYY-MM-DD, got ${expiresAt}`);
      const assignedAt = pythonIsoNow();
      return store.add({
        user, name, expiresAt, description: o.description ?? '',
        roles: (o.roles ?? rolesOf(user)).map((role_name) => ({
          role_name, assigned_by: o.assignedBy ?? user, assigned_at: assignedAt,
        })),
      });
    },
    addUser: (id, roles = [], createdBy = null) => void users.add(id, roles, createdBy),
    setJwtLifetime: (seconds) => void (lifetime = seconds),
    rotateSigningKey: () => signer.rotate(),
    oauth: oauth.controls,
  };
}
