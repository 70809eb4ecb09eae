import type * as z from 'zod/mini';
import { ApiError, AuthError, CredentialRefusedError, NetworkError, PatRefusedError, UsageError } from '../errors.js';
import { loginWithoutTokenHint } from '../util/login-hints.js';
import type { HttpRequest, HttpResponse, Transport } from '../http/transport.js';
import { redactSecrets } from '../http/redact.js';
import { oneLine } from '../util/display-text.js';
import { expectOsmoAnswer } from './osmo-probe.js';
import { errorFromResponse } from './response-errors.js';
import { parseJsonResponse } from './parse-response.js';
import { serviceWarning } from './service-warning.js';
import {
  accessTokenListSchema,
  accessTokenRolesSchema,
  createdTokenSchema,
  deletedSchema,
  jwtTokenResponseSchema,
  loginInfoSchema,
  type AccessToken,
  type AccessTokenRoles,
  type LoginInfo,
} from './schemas.js';
import {
  roleAssignmentSchema,
  userListSchema,
  userSchema,
  userWithRolesSchema,
  type RoleAssignment,
  type User,
  type UserList,
  type UserQuery,
  type UserWithRoles,
} from './user-schemas.js';

/** What the client needs from a session: headers, and one renewal after a 401. */
export interface Authenticator {
  authHeaders(): Promise<Record<string, string>>;
  /** After a 401: obtain a new credential; false when there is none to try. */
  renewAfterUnauthorized(): Promise<boolean>;
  /** Where the credential came from, for error messages. */
  readonly source: string;
  /** What to do when the service refuses it. */
  readonly recovery: string;
  /** The credential was refused even after a renewal: stop reusing it. */
  discardRefused?(): Promise<void>;
}

export interface CreateTokenOptions {
  expiresAt: string;
  description?: string;
  roles?: string[];
  user?: string;
}

export interface ExchangedJwt {
  jwt: string;
  /** Unix seconds, from the response or else the JWT's own exp. */
  expiresAt: number | undefined;
}

/** One typed method per OSMO endpoint (SPEC.md section 1); no knowledge of storage. */
export class OsmoClient {
  constructor(
    private readonly http: Transport,
    readonly baseUrl: string,
    private readonly auth?: Authenticator,
    private readonly warn: (message: string, fact?: string) => void = () => {},
  ) {}

  loginInfo(): Promise<LoginInfo> {
    return this.call({ method: 'GET', path: '/api/auth/login', idempotent: true, anonymous: true, probe: true }, loginInfoSchema, 'read the login methods');
  }

  async exchangePat(pat: string): Promise<ExchangedJwt> {
    const req = { method: 'POST' as const, path: '/api/auth/jwt/access_token', json: { token: pat }, idempotent: true, anonymous: true, secrets: [pat], probe: true };
    let body;
    try {
      body = await this.call(req, jwtTokenResponseSchema, 'exchange the access token');
    } catch (err) {
      // 400 is how the service refuses a token ("Access Token is invalid", "... has expired").
      if (err instanceof ApiError && err.status === 400) {
        // No working login can be assumed here: `osmo token set` alone would need one.
        throw new PatRefusedError(`${err.message}`, loginWithoutTokenHint(this.baseUrl));
      }
      throw err;
    }
    if (!body.token) throw new AuthError(oneLine(redactSecrets(body.error ?? '', [pat])) || 'the service did not issue a JWT for this access token');
    return { jwt: body.token, expiresAt: body.expires_at ?? undefined };
  }

  createToken(name: string, opts: CreateTokenOptions): Promise<string> {
    const query = new URLSearchParams({ expires_at: opts.expiresAt });
    if (opts.description) query.set('description', opts.description);
    for (const role of opts.roles ?? []) query.append('roles', role);
    // A create is never retried blindly: a lost answer could mean it was made.
    return this.call({ method: 'POST', path: `${tokenPath(name, opts.user)}?${query}`, idempotent: false }, createdTokenSchema, 'create the token');
  }

  /** `probe`: this is a login's first request (see ApiRequest). */
  listTokens(user?: string, opts: { probe?: boolean } = {}): Promise<AccessToken[]> {
    const path = user ? `/api/auth/user/${pathSegment(user)}/access_token` : '/api/auth/access_token';
    return this.call({ method: 'GET', path, idempotent: true, probe: opts.probe }, accessTokenListSchema, 'list tokens');
  }

  tokenRoles(name: string): Promise<AccessTokenRoles> {
    return this.call({ method: 'GET', path: `${tokenPath(name)}/roles`, idempotent: true }, accessTokenRolesSchema, 'read the token roles');
  }

  async deleteToken(name: string, user?: string): Promise<void> {
    await this.call({ method: 'DELETE', path: tokenPath(name, user), idempotent: true }, deletedSchema, 'delete the token');
  }

  // User management (admins only). A create is never retried blindly (a lost
  // answer could mean it was made); the service assigns a role idempotently.
  listUsers(q: UserQuery): Promise<UserList> {
    const query = new URLSearchParams({ start_index: String(q.startIndex), count: String(q.count) });
    if (q.idPrefix !== undefined) query.set('id_prefix', q.idPrefix);
    for (const role of q.roles ?? []) query.append('roles', role);
    return this.call({ method: 'GET', path: `/api/auth/user?${query}`, idempotent: true }, userListSchema, 'list users');
  }

  createUser(id: string, roles?: string[]): Promise<User> {
    return this.call({ method: 'POST', path: '/api/auth/user', json: { id, ...(roles?.length ? { roles } : {}) }, idempotent: false }, userSchema, 'create the user');
  }

  getUser(id: string): Promise<UserWithRoles> {
    return this.call({ method: 'GET', path: `/api/auth/user/${pathSegment(id)}`, idempotent: true }, userWithRolesSchema, 'read the user');
  }

  async deleteUser(id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/auth/user/${pathSegment(id)}`, idempotent: true }, deletedSchema, 'delete the user');
  }

  assignUserRole(id: string, role: string): Promise<RoleAssignment> {
    return this.call({ method: 'POST', path: `/api/auth/user/${pathSegment(id)}/roles`, json: { role_name: role }, idempotent: true }, roleAssignmentSchema, 'assign the role');
  }

  async removeUserRole(id: string, role: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/auth/user/${pathSegment(id)}/roles/${pathSegment(role)}`, idempotent: true }, deletedSchema, 'remove the role');
  }

  /** An authenticated request to any path, for `osmo api`. Error statuses are returned, not thrown. */
  async raw(method: HttpRequest['method'], path: string, json?: unknown, headers?: Record<string, string>): Promise<HttpResponse> {
    return this.send({ method, path, json, headers, idempotent: method !== 'POST' && method !== 'PATCH' });
  }

  private async call<T extends z.ZodMiniType>(req: ApiRequest, schema: T, what: string): Promise<z.infer<T>> {
    const secrets = [...(req.secrets ?? [])];
    const res = await this.send(req, secrets);
    if (req.probe) expectOsmoAnswer(res, `${req.method} ${req.path}`, this.baseUrl);
    // A proxy or service that echoes the request must not make us print its credential.
    if (res.status >= 400) throw errorFromResponse({ ...res, text: redactSecrets(res.text, secrets) }, what);
    if (res.status >= 300) throw new NetworkError(`unexpected redirect (HTTP ${res.status}) while trying to ${what}`, 'check the server URL');
    return parseJsonResponse(res.text, res.status, schema, what);
  }

  /** `secrets` collects every credential sent, so error messages can redact them. */
  private async send(req: ApiRequest, secrets: string[] = []): Promise<HttpResponse> {
    const attempt = async (): Promise<HttpResponse> => {
      const auth = req.anonymous || !this.auth ? {} : await this.auth.authHeaders();
      if (auth.authorization) secrets.push(auth.authorization.replace(/^Bearer\s+/i, ''));
      const res = await this.http.send({
        method: req.method,
        url: `${this.baseUrl}${req.path}`,
        headers: { ...req.headers, ...auth },
        json: req.json,
        idempotent: req.idempotent,
      });
      this.forwardWarning(res, secrets);
      return res;
    };
    let res = await attempt();
    if (res.status === 401 && !req.anonymous && this.auth) {
      if (await this.auth.renewAfterUnauthorized()) res = await attempt();
      if (res.status === 401) {
        await this.auth.discardRefused?.();
        const reason = oneLine(redactSecrets(res.text.trim().split('\n')[0] ?? '', secrets), 200) || 'unauthorized';
        throw new CredentialRefusedError(this.auth.source, reason, this.auth.recovery);
      }
    }
    return res;
  }

  // The service may attach a base64 warning (e.g. a PAT about to expire).
  private forwardWarning(res: HttpResponse, secrets: string[]): void {
    const header = res.headers['x-osmo-warning'];
    for (const value of Array.isArray(header) ? header : header ? [header] : []) {
      const { message, fact } = serviceWarning(oneLine(redactSecrets(Buffer.from(value, 'base64').toString('utf8'), secrets)));
      if (message) this.warn(message, fact);
    }
  }
}

interface ApiRequest {
  method: HttpRequest['method'];
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
  idempotent: boolean;
  anonymous?: boolean;
  /** Credentials in the request body, never to be echoed in an error message. */
  secrets?: string[];
  /** The first request of a login: a 404 or an HTML page means the URL is not an OSMO service. */
  probe?: boolean;
}

function tokenPath(name: string, user?: string): string {
  const token = pathSegment(name);
  return user ? `/api/auth/user/${pathSegment(user)}/access_token/${token}` : `/api/auth/access_token/${token}`;
}

/**
 * One path segment. Encoding covers `/`, `?`, `#` and `%`, but not a segment
 * that is all dots: URL normalisation would resolve `..` away and send the
 * request to another path, so it is refused before anything is sent.
 */
function pathSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  if (encoded === '' || encoded === '.' || encoded === '..') throw new UsageError(`"${value}" cannot be part of a request path`);
  return encoded;
}
