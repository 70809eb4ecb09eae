// The `/api/auth/*` routes of an OSMO service together with the gateway in
// front of it. The gateway answers in plain text (401 `Jwt is ...`, 403
// `access denied`); only what passes it reaches the FastAPI handlers, which
// answer JSON. Keeping both layers here is what lets client tests meet the
// same mix of error shapes a real deployment produces.
import {
  header, internalError, json, missing, serviceError, text, UserError, validationError,
  type Reply, type Req, type Route,
} from './http-kit.js';
import { issuerOf, type JwtSigner, type Verified } from './jwt.js';
import { dayNumber, daysFromToday, pythonIsoNow, TOKEN_NAME_RE, type PatStore } from './pat-store.js';
import { userRoutes } from './user-routes.js';
import type { UserStore } from './user-store.js';

/** An OpenID provider other than the one under /oauth/, as an OSMO deployment names its own. */
export interface IdentityProvider {
  /** The body of `GET /api/auth/login`: its endpoints and the public clients to use. */
  loginInfo: Record<string, string>;
  issuer: string;
  /** The gateway's check of the ID tokens it signs. */
  verify(token: string, nowSec: number): Verified;
}

export interface ApiDeps {
  identityProvider?: IdentityProvider;
  store: PatStore;
  users: UserStore;
  signer: JwtSigner;
  devMode: boolean;
  maxTokenDays: number;
  lifetime(): number;
  /** The server's clock, unix seconds: when JWTs are issued and checked. */
  nowSeconds(): number;
  rolesOf(user: string): string[];
  baseUrl(): string;
}

interface Identity {
  user: string;
  roles: string[];
  /** Set when the caller presented a JWT exchanged from a PAT. */
  tokenName?: string;
}

type AuthedHandler = (req: Req, who: Identity, params: string[]) => Reply | Promise<Reply>;

const WARN_DAYS = 7;
const ADMIN_ROLE = 'osmo-admin';

export function apiRoutes(deps: ApiDeps): Route[] {
  const { store, signer } = deps;
  const issuers = (): string[] => ['osmo', `${deps.baseUrl()}/oauth`];

  function unauthorized(reason: string): Reply {
    const challenge = reason === 'Jwt is missing' ? 'Bearer realm="osmo"' : 'Bearer realm="osmo", error="invalid_token"';
    return text(401, reason, { 'www-authenticate': challenge });
  }

  function authenticate(req: Req): Identity | Reply {
    const authorization = header(req, 'authorization');
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (bearer === undefined) {
      // A real gateway strips x-osmo-user from clients; only dev mode trusts it.
      const devUser = header(req, 'x-osmo-user');
      if (deps.devMode && authorization === undefined && devUser) return { user: devUser, roles: deps.rolesOf(devUser) };
      return unauthorized('Jwt is missing');
    }
    const idp = deps.identityProvider;
    const result = idp && issuerOf(bearer) === idp.issuer ? idp.verify(bearer, deps.nowSeconds()) : signer.verify(bearer, deps.nowSeconds(), issuers());
    if (!result.ok) return unauthorized(result.reason);
    const { claims } = result;
    // PAT JWTs name the user in unique_name; OAuth access tokens in preferred_username.
    const user = claims.unique_name ?? claims.preferred_username;
    if (typeof user !== 'string') return unauthorized('Jwt verification fails');
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    const tokenName = typeof claims.osmo_token_name === 'string' ? claims.osmo_token_name : undefined;
    return { user, roles, tokenName };
  }

  /** The service warns about the caller's PAT only to its own Python client, which sends its version. */
  function expiryWarning(req: Req, who: Identity): Record<string, string> {
    if (header(req, 'x-osmo-client-version') === undefined || who.tokenName === undefined) return {};
    const pat = store.find(who.user, who.tokenName);
    if (!pat || daysFromToday(pat.expiresAt) > WARN_DAYS) return {};
    const warning = `Access token ${pat.name} is expiring on ${pat.expiresAt}`;
    return { 'x-osmo-warning': Buffer.from(warning).toString('base64') };
  }

  function authed(handler: AuthedHandler, adminOnly = false) {
    return async (req: Req, params: string[]): Promise<Reply> => {
      const who = authenticate(req);
      if (!('user' in who)) return who;
      if (adminOnly && !who.roles.includes(ADMIN_ROLE)) return text(403, 'access denied');
      let reply: Reply;
      try {
        reply = await handler(req, who, params);
      } catch (err) {
        // Caught here rather than by dispatch() so error replies carry the warning too.
        if (!(err instanceof UserError)) throw err;
        reply = serviceError(err.message, err.status);
      }
      Object.assign(reply.headers, expiryWarning(req, who));
      return reply;
    };
  }

  function exchange(secret: string): Reply {
    const pat = store.bySecretValue(secret);
    if (!pat) throw new UserError('Access Token is invalid');
    if (daysFromToday(pat.expiresAt) <= 0) throw new UserError('Access Token has expired');
    const now = deps.nowSeconds();
    const exp = now + deps.lifetime();
    const token = signer.sign({
      iss: 'osmo', aud: 'osmo', iat: now, nbf: now, exp,
      unique_name: pat.user, roles: pat.roles.map((r) => r.role_name), osmo_token_name: pat.name,
    });
    return json(200, { token, expires_at: exp, error: null });
  }

  function exchangeFromBody(req: Req): Reply {
    let body: unknown;
    try {
      body = req.body.trim() === '' ? undefined : JSON.parse(req.body);
    } catch (err) {
      return validationError({
        type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {},
        ctx: { error: err instanceof Error ? err.message : 'Expecting value' },
      });
    }
    const token = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
    if (token === undefined) return validationError(missing('body', 'token'));
    if (typeof token !== 'string') {
      return validationError({ type: 'string_type', loc: ['body', 'token'], msg: 'Input should be a valid string', input: token });
    }
    return exchange(token);
  }

  /** Checks run in the service's order: FastAPI validation, date parsing, then the service's own rules. */
  function create(req: Req, owner: string, name: string, assignedBy: string): Reply {
    const expiresAt = req.query.get('expires_at');
    if (expiresAt === null) return validationError(missing('query', 'expires_at'));
    if (dayNumber(expiresAt) === null) return internalError();
    if (!TOKEN_NAME_RE.test(name)) {
      throw new UserError(`Invalid token name ${name}: it must match ${TOKEN_NAME_RE.source}`);
    }
    const days = daysFromToday(expiresAt);
    if (days <= 0) throw new UserError('Expiration date must be in the future');
    if (days > deps.maxTokenDays) {
      throw new UserError(`Access token expiration cannot be more than ${deps.maxTokenDays} days from now`);
    }
    if (store.find(owner, name)) throw new UserError(`Access token ${name} already exists`);
    const userRoles = deps.rolesOf(owner);
    const asked = req.query.getAll('roles');
    const roles = asked.length > 0 ? [...new Set(asked)] : userRoles;
    const lacking = roles.find((r) => !userRoles.includes(r));
    if (lacking !== undefined) throw new UserError(`User ${owner} does not have role ${lacking}`);
    const assignedAt = pythonIsoNow();
    const secret = store.add({
      user: owner, name, expiresAt, description: req.query.get('description') ?? '',
      roles: roles.map((role_name) => ({ role_name, assigned_by: assignedBy, assigned_at: assignedAt })),
    });
    return json(200, secret);
  }

  function list(owner: string): Reply {
    return json(200, store.list(owner).map((p) => ({
      user_name: p.user, token_name: p.name, expires_at: `${p.expiresAt}T00:00:00`,
      description: p.description, roles: p.roles.map((r) => r.role_name),
    })));
  }

  function roles(owner: string, name: string): Reply {
    const pat = store.find(owner, name);
    if (!pat) throw new UserError(`Access token ${name} not found`);
    return json(200, { user_name: pat.user, token_name: pat.name, roles: pat.roles });
  }

  function remove(owner: string, name: string): Reply {
    if (!store.delete(owner, name)) throw new UserError(`Access token ${name} not found`);
    return json(200, null);
  }

  const oauth = (path: string): string => `${deps.baseUrl()}/oauth/${path}`;
  const SEG = '([^/]+)';
  const at = (pattern: string): RegExp => new RegExp(`^${pattern}$`);

  return [
    { method: 'GET', pattern: at('/api/auth/login'), handler: () => json(200, deps.identityProvider?.loginInfo ?? {
      device_endpoint: oauth('device'), device_client_id: 'osmo-device',
      browser_endpoint: oauth('authorize'), browser_client_id: 'osmo-browser',
      token_endpoint: oauth('token'), logout_endpoint: oauth('logout'),
    }) },
    { method: 'POST', pattern: at('/api/auth/jwt/access_token'), handler: exchangeFromBody },
    { method: 'GET', pattern: at('/api/auth/jwt/access_token'), handler: (req) => {
      const token = req.query.get('access_token');
      return token === null ? validationError(missing('query', 'access_token')) : exchange(token);
    } },
    { method: 'GET', pattern: at('/api/auth/access_token'), handler: authed((_r, who) => list(who.user)) },
    { method: 'POST', pattern: at(`/api/auth/access_token/${SEG}`),
      handler: authed((req, who, [name]) => create(req, who.user, name ?? '', who.user)) },
    { method: 'DELETE', pattern: at(`/api/auth/access_token/${SEG}`),
      handler: authed((_r, who, [name]) => remove(who.user, name ?? '')) },
    { method: 'GET', pattern: at(`/api/auth/access_token/${SEG}/roles`),
      handler: authed((_r, who, [name]) => roles(who.user, name ?? '')) },
    { method: 'GET', pattern: at(`/api/auth/user/${SEG}/access_token`),
      handler: authed((_r, _who, [user]) => list(user ?? ''), true) },
    { method: 'POST', pattern: at(`/api/auth/user/${SEG}/access_token/${SEG}`),
      handler: authed((req, who, [user, name]) => create(req, user ?? '', name ?? '', who.user), true) },
    { method: 'DELETE', pattern: at(`/api/auth/user/${SEG}/access_token/${SEG}`),
      handler: authed((_r, _who, [user, name]) => remove(user ?? '', name ?? ''), true) },
    ...userRoutes({ users: deps.users, pats: store, guard: (handler) => authed((req, who, params) => handler(req, who.user, params), true) }),
  ];
}
