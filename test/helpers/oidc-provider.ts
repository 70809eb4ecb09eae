/**
 * An OpenID Certified provider (the `oidc-provider` package) on 127.0.0.1:0,
 * set up as an OSMO deployment sets up its own: two public clients, one for
 * the device-code login and one for the browser (PKCE S256, redirect URI
 * `http://localhost:PORT`, any port), `offline_access` for refresh tokens,
 * refresh tokens that rotate. Its `identityProvider` goes to
 * startOsmoServer(), whose `GET /api/auth/login` then names this provider and
 * whose gateway accepts the ID tokens it signs.
 *
 *   const idp = await startOidcProvider();
 *   const osmo = await startOsmoServer({ identityProvider: idp.identityProvider });
 *
 * Nobody types anything: a small user agent (browse() below: cookies,
 * redirects, the provider's self-submitting forms) plays the browser, and the
 * login and consent interactions are answered by this file through
 * oidc-provider's own interaction API, signed in as `signInAs()`.
 *
 * Where it differs from a bare oidc-provider, on purpose:
 * - a refresh token with every code and device grant, as Keycloak gives
 *   them. oidc-provider by itself follows OpenID Connect Core 11: it drops
 *   `offline_access` from a browser login that does not also send
 *   `prompt=consent`, which osmo does not, so that login would get no
 *   refresh token (`strictOfflineAccess: true` keeps that rule);
 * - ID tokens carry the profile claims and `roles` (Keycloak's mappers do
 *   the same; the gateway reads `roles`, osmo greets with `name`);
 * - the device authorization names a 1 s polling interval (Keycloak says 5 s),
 *   so a device login takes a second, not five.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { rsaKeyPair } from '../server/key-pool.js';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Provider, { type Configuration } from 'oidc-provider';
import { issuerVerifier } from '../server/jwt.js';
import type { IdentityProvider } from '../server/osmo-server.js';
import { withoutSpaces } from './cli.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The BROWSER osmo starts: hands the URL to browse() through `OIDC_BROWSE_URL`. */
export const OIDC_BROWSER = fileURLToPath(new URL('./oidc-browser.mjs', import.meta.url));

export interface OidcProviderOptions {
  /** Default true, oidc-provider's default for public clients. */
  rotateRefreshTokens?: boolean;
  /** oidc-provider's own rule: `offline_access` only with `prompt=consent` in a browser login. Default false. */
  strictOfflineAccess?: boolean;
  /** Lifetime of ID tokens (what osmo sends as Bearer), seconds; default 300. */
  idTokenLifetime?: number;
}

/** The last page the user agent got: a provider page, or osmo's callback page. */
export interface Page {
  url: string;
  status: number;
  text: string;
}

export interface OidcProvider {
  /** http://127.0.0.1:PORT */
  issuer: string;
  /** For startOsmoServer({ identityProvider }). */
  identityProvider: IdentityProvider;
  /** The variables that make osmo's browser this provider's user agent. */
  browserEnv(pageFile: string): Record<string, string>;
  /** Who the browser is signed in as from now on; default user@example.com. */
  signInAs(user: string): void;
  setIdTokenLifetime(seconds: number): void;
  /** Successful token requests per grant type ('device_code' is short for the URN). */
  count(grantType: string): number;
  /** A token request of this grant type that the provider refused, with its error. */
  refusals(grantType: string): string[];
  /** Opens a URL as the signed-in user would, consenting to what is asked; `deny` refuses a device code instead. */
  browse(url: string, opts?: { deny?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

interface Profile {
  name: string;
  roles: string[];
}

const PROFILES: Record<string, Profile> = {
  'user@example.com': { name: 'User', roles: ['osmo-user', 'osmo-ml-team'] },
  'admin@example.com': { name: 'Admin', roles: ['osmo-admin', 'osmo-user'] },
};

export async function startOidcProvider(opts: OidcProviderOptions = {}): Promise<OidcProvider> {
  let user = 'user@example.com';
  let idTokenLifetime = opts.idTokenLifetime ?? 300;
  const successes = new Map<string, number>();
  const refused = new Map<string, string[]>();

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      console.error('oidc test provider: request failed:', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(err instanceof Error ? err.message : String(err));
    });
  });
  // The issuer is the provider's URL, so the port must be known before it exists.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // From the local server's key pool: a new 2048-bit key costs 0.1–0.7 s of CPU.
  const { privateKey, publicKey } = rsaKeyPair();
  const kid = randomBytes(8).toString('hex');
  const configuration: Configuration = {
    clients: [
      {
        client_id: 'osmo-device', token_endpoint_auth_method: 'none', application_type: 'native',
        grant_types: [DEVICE_GRANT, 'refresh_token'], response_types: [], redirect_uris: [],
      },
      {
        // A native client's loopback redirect URI matches on any port (RFC 8252 7.3).
        client_id: 'osmo-browser', token_endpoint_auth_method: 'none', application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: ['http://localhost'],
      },
    ],
    jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as Record<string, string>), kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: false }, deviceFlow: { enabled: true }, revocation: { enabled: true } },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile'],
    claims: { openid: ['sub', 'roles'], profile: ['name', 'preferred_username', 'email'] },
    conformIdTokenClaims: false,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && (!opts.strictOfflineAccess || code.scopes.has('offline_access')),
    rotateRefreshToken: () => opts.rotateRefreshTokens ?? true,
    ttl: {
      IdToken: () => idTokenLifetime, AccessToken: () => idTokenLifetime,
      RefreshToken: 14 * 86_400, DeviceCode: 600, Interaction: 600, Session: 86_400, Grant: 14 * 86_400,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, preferred_username: id, email: id, name: PROFILES[id]?.name ?? id, roles: PROFILES[id]?.roles ?? ['osmo-user'] }),
    }),
    renderError: (ctx, out) => {
      ctx.type = 'text/plain';
      ctx.body = `oidc-provider error: ${out.error}: ${out.error_description ?? ''}`;
    },
  };
  const op = new Provider(issuer, configuration);
  op.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    successes.set(type, (successes.get(type) ?? 0) + 1);
  });
  op.on('grant.error', (ctx, err) => {
    const type = String(ctx.oidc.params?.grant_type);
    refused.set(type, [...(refused.get(type) ?? []), (err as { error?: string }).error ?? err.message]);
  });
  op.on('server_error', (_ctx, err) => console.error('oidc test provider: server error:', err));
  // RFC 8628's polling interval, which oidc-provider leaves to the client's default of 5 s.
  op.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') ctx.body = { ...ctx.body, interval: 1 };
  });
  const callback = op.callback();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (req.method === 'GET' && path.startsWith('/interaction/')) return interact(req, res);
    if (req.method === 'POST' && path === '/_test/browse') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const page = await browse(body.trim());
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${page.status}\n${page.text}`);
      return;
    }
    callback(req, res);
  }

  /** The user at the provider's login and consent pages: signs in as `user`, grants what the client asks. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await op.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await op.interactionFinished(req, res, { login: { accountId: user } }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name !== 'consent') throw new Error(`unexpected prompt ${details.prompt.name}`);
    const grant = details.grantId
      ? await op.Grant.find(details.grantId)
      : new op.Grant({ accountId: details.session?.accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error(`grant ${details.grantId} not found`);
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await op.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  /**
   * A browser that follows redirects, keeps the provider's cookies and submits
   * the forms that are all hidden fields (form_post pages and the device-code
   * confirmation, which a real page submits by script or one click). It stops
   * at the first page that is not the provider's (osmo's callback) or that
   * wants typing.
   */
  async function browse(start: string, o: { deny?: boolean } = {}): Promise<Page> {
    const jar = new Map<string, string>();
    let url = new URL(start);
    let method = 'GET';
    let body: URLSearchParams | undefined;
    for (let hop = 0; hop < 20; hop++) {
      const ours = url.origin === issuer;
      const headers: Record<string, string> = {};
      if (ours && jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { method, body, headers, redirect: 'manual', signal: AbortSignal.timeout(20_000) });
      if (ours) for (const cookie of res.headers.getSetCookie()) keepCookie(jar, cookie);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url);
        method = 'GET';
        body = undefined;
        continue;
      }
      const text = await res.text();
      const form = ours ? hiddenForm(text) : undefined;
      if (!form) return { url: url.href, status: res.status, text };
      url = new URL(form.action, url);
      method = 'POST';
      body = new URLSearchParams(form.fields);
      if (o.deny && body.has('confirm')) {
        body.delete('confirm');
        body.set('abort', 'yes');
      }
    }
    throw new Error(`browse(${start}): more than 20 redirects and forms`);
  }

  return {
    issuer,
    identityProvider: {
      issuer,
      verify: issuerVerifier(issuer, { ...publicKey.export({ format: 'jwk' }), kid }),
      loginInfo: {
        device_endpoint: `${issuer}/device/auth`, device_client_id: 'osmo-device',
        browser_endpoint: `${issuer}/auth`, browser_client_id: 'osmo-browser',
        token_endpoint: `${issuer}/token`, logout_endpoint: `${issuer}/session/end`,
      },
    },
    browserEnv: (pageFile) => ({ BROWSER: withoutSpaces(OIDC_BROWSER), OIDC_BROWSE_URL: `${issuer}/_test/browse`, BROWSER_PAGE_FILE: pageFile }),
    signInAs: (name) => void (user = name),
    setIdTokenLifetime: (seconds) => void (idTokenLifetime = seconds),
    count: (type) => successes.get(type === 'device_code' ? DEVICE_GRANT : type) ?? 0,
    refusals: (type) => refused.get(type === 'device_code' ? DEVICE_GRANT : type) ?? [],
    browse,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function keepCookie(jar: Map<string, string>, header: string): void {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 1) return;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
  if (expired || value === '') jar.delete(name);
  else jar.set(name, value);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => ENTITIES[e] ?? '');
const attribute = (tag: string, name: string): string | undefined => {
  const value = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];
  return value === undefined ? undefined : unescape(value);
};

/** The page's POST form when every field of it is hidden (nothing for a person to fill in). */
function hiddenForm(html: string): { action: string; fields: Array<[string, string]> } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form || attribute(form[0].slice(0, form[0].indexOf('>') + 1), 'method')?.toLowerCase() !== 'post') return undefined;
  const inputs = [...(form[1] ?? '').matchAll(/<input\b[^>]*>/gi)].map((m) => m[0]);
  if (inputs.length === 0 || inputs.some((tag) => attribute(tag, 'type')?.toLowerCase() !== 'hidden')) return undefined;
  const fields = inputs.map((tag): [string, string] => [attribute(tag, 'name') ?? '', attribute(tag, 'value') ?? '']);
  return { action: attribute(form[0], 'action') ?? '', fields };
}
