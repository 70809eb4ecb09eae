// A minimal OpenID Connect provider under /oauth/, enough for the CLI's
// device, browser (PKCE) and password logins. It answers like Keycloak-style
// providers do: RFC 6749/8628 JSON errors on the token endpoint, 302s from
// the authorize endpoint, and access tokens the OSMO gateway accepts.
import { createHash } from 'node:crypto';
import { form, html, json, redirect, type Reply, type Req, type Route } from './http-kit.js';
import type { Claims, JwtSigner } from './jwt.js';
import { GrantStore, opaque, s256 } from './oauth-grants.js';

export interface OAuthControls {
  setPassword(user: string, password: string): void;
  /** The next poll for this code succeeds as `user`. */
  approveDevice(userCode: string, user: string): void;
  denyDevice(userCode: string): void;
  expireDevice(userCode: string): void;
  pendingUserCodes(): string[];
  setDeviceInterval(seconds: number): void;
  /** The next n device polls answer slow_down. */
  slowDownNext(n: number): void;
  /**
   * Persists for following authorize/token responses; `tamper({})` restores honest answers.
   * `noIdTokenOnRefresh`: refresh answers carry an opaque access token and no id_token, as some providers' do.
   */
  tamper(opts: { wrongState?: boolean; wrongNonce?: boolean; noIdTokenOnRefresh?: boolean }): void;
  /** Who the browser is "logged in" as at /oauth/authorize when no login_hint is given. */
  setAuthorizeUser(user: string): void;
  /** Token endpoint calls per grant_type; 'device_code' is short for the RFC 8628 URN. */
  count(grantType: string): number;
  /** Whether the provider would still take this refresh token (not used, revoked or logged out). */
  refreshTokenActive(value: string): boolean;
}

export interface OAuthDeps {
  signer: JwtSigner;
  baseUrl(): string;
  lifetime(): number;
  /** The server's clock, unix seconds. */
  nowSeconds(): number;
  rolesOf(user: string): string[];
  defaultUser: string;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'openid offline_access';

const oauthError = (error: string, description?: string): Reply =>
  json(400, description === undefined ? { error } : { error, error_description: description });

/** What an identity provider knows about a user beyond the name. */
function profileOf(user: string): Claims {
  const local = user.split('@')[0] ?? user;
  const name = local.split(/[._-]+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1)).join(' ');
  const hex = createHash('sha256').update(user).digest('hex');
  const sub = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return { sub, name: name || user, email: user.includes('@') ? user : `${user}@example.com`, preferred_username: user };
}

export function createOAuthProvider(deps: OAuthDeps): { routes: Route[]; controls: OAuthControls } {
  const grants = new GrantStore(() => deps.nowSeconds() * 1000);
  let authorizeUser = deps.defaultUser;
  const issuer = (): string => `${deps.baseUrl()}/oauth`;

  function issueTokens(user: string, clientId: string, nonce?: string): Reply {
    const now = deps.nowSeconds();
    const lifetime = deps.lifetime();
    const profile = profileOf(user);
    const access = deps.signer.sign({
      iss: issuer(), aud: 'osmo', azp: clientId, ...profile, roles: deps.rolesOf(user),
      scope: SCOPE, typ: 'Bearer', iat: now, nbf: now, exp: now + lifetime,
    });
    const idClaims: Claims = { iss: issuer(), aud: clientId, ...profile, iat: now, exp: now + lifetime };
    if (grants.wrongNonce) idClaims.nonce = `${nonce ?? ''}tampered`;
    else if (nonce !== undefined) idClaims.nonce = nonce;
    return json(200, {
      access_token: access, token_type: 'Bearer', expires_in: lifetime,
      refresh_token: grants.issueRefresh({ user, clientId }),
      id_token: deps.signer.sign(idClaims), scope: SCOPE,
    }, { 'cache-control': 'no-store', pragma: 'no-cache' });
  }

  function deviceToken(f: URLSearchParams): Reply {
    const grant = grants.devices.get(f.get('device_code') ?? '');
    if (!grant || grant.clientId !== f.get('client_id')) return oauthError('invalid_grant', 'Device code not valid');
    if (grants.slowDowns > 0) {
      grants.slowDowns -= 1;
      return oauthError('slow_down');
    }
    const status = grants.deviceStatus(grant);
    if (status === 'expired') return oauthError('expired_token');
    if (status === 'denied') return oauthError('access_denied');
    if (status === 'pending' || grant.user === undefined) return oauthError('authorization_pending');
    grants.devices.delete(grant.deviceCode); // a device code yields tokens once
    return issueTokens(grant.user, grant.clientId);
  }

  function passwordToken(f: URLSearchParams): Reply {
    const user = f.get('username') ?? '';
    const expected = grants.passwords.get(user);
    if (expected === undefined || expected !== f.get('password')) {
      return oauthError('invalid_grant', 'Invalid user credentials');
    }
    return issueTokens(user, f.get('client_id') ?? '');
  }

  function refreshToken(f: URLSearchParams): Reply {
    const grant = grants.takeRefresh(f.get('refresh_token') ?? '');
    if (!grant || grant.clientId !== (f.get('client_id') ?? grant.clientId)) {
      return oauthError('invalid_grant', 'Token is not active');
    }
    if (grants.noIdTokenOnRefresh) {
      // The used refresh token is gone (rotation) all the same.
      return json(200, {
        access_token: opaque(), token_type: 'Bearer', expires_in: deps.lifetime(),
        refresh_token: grants.issueRefresh(grant), scope: 'offline_access',
      }, { 'cache-control': 'no-store' });
    }
    return issueTokens(grant.user, grant.clientId);
  }

  function codeToken(f: URLSearchParams): Reply {
    const code = grants.takeCode(f.get('code') ?? '');
    if (!code) return oauthError('invalid_grant', 'Code not valid');
    if (code.clientId !== f.get('client_id')) return oauthError('invalid_grant', 'Code not issued to this client');
    if (code.redirectUri !== f.get('redirect_uri')) return oauthError('invalid_grant', 'Incorrect redirect_uri');
    if (code.challenge !== undefined) {
      const verifier = f.get('code_verifier');
      if (verifier === null) return oauthError('invalid_grant', 'PKCE code verifier not specified');
      if (s256(verifier) !== code.challenge) return oauthError('invalid_grant', 'PKCE verification failed');
    }
    return issueTokens(code.user, code.clientId, code.nonce);
  }

  function token(req: Req): Reply {
    const f = form(req);
    const grantType = f.get('grant_type');
    if (grantType === null) return oauthError('invalid_request', 'Missing form parameter: grant_type');
    grants.countGrant(grantType);
    if (!f.get('client_id')) return oauthError('invalid_client', 'Missing parameter: client_id');
    switch (grantType) {
      case DEVICE_GRANT: return deviceToken(f);
      case 'password': return passwordToken(f);
      case 'refresh_token': return refreshToken(f);
      case 'authorization_code': return codeToken(f);
      default: return oauthError('unsupported_grant_type', `Unsupported grant_type ${grantType}`);
    }
  }

  function device(req: Req): Reply {
    const clientId = form(req).get('client_id');
    if (!clientId) return oauthError('invalid_client', 'Missing parameter: client_id');
    const grant = grants.startDevice(clientId);
    const verify = `${issuer()}/device/verify`;
    return json(200, {
      device_code: grant.deviceCode, user_code: grant.userCode, verification_uri: verify,
      verification_uri_complete: `${verify}?user_code=${grant.userCode}`,
      expires_in: grant.expiresIn, interval: grants.deviceInterval,
    });
  }

  /** No login page: the "browser" is already signed in as authorizeUser (or login_hint). */
  function authorize(req: Req): Reply {
    const q = req.query;
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    let target: URL;
    try {
      target = new URL(redirectUri ?? '');
    } catch {
      return html(400, '<html><body><h1>Invalid parameter: redirect_uri</h1></body></html>');
    }
    if (!clientId) return html(400, '<html><body><h1>Invalid parameter: client_id</h1></body></html>');
    const state = q.get('state');
    const answer = (params: Record<string, string>): Reply => {
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      if (state !== null || grants.wrongState) target.searchParams.set('state', grants.wrongState ? `${state ?? ''}tampered` : state ?? '');
      return redirect(target.toString());
    };
    if (q.get('response_type') !== 'code') return answer({ error: 'unsupported_response_type' });
    const challenge = q.get('code_challenge') ?? undefined;
    if (challenge !== undefined && q.get('code_challenge_method') !== 'S256') {
      return answer({ error: 'invalid_request', error_description: 'Invalid parameter: code_challenge_method' });
    }
    const code = grants.issueCode({
      clientId, redirectUri: redirectUri ?? '', challenge, nonce: q.get('nonce') ?? undefined,
      user: q.get('login_hint') || authorizeUser,
    });
    return answer({ code });
  }

  /**
   * The page a device code is approved on, as a person sees it: the code
   * (filled in from verification_uri_complete), who signs in, and Approve or
   * Deny. No password: as at /authorize, the "browser" is already signed in.
   */
  function verifyPage(req: Req): Reply {
    const code = escapeHtml(req.query.get('user_code') ?? '');
    return html(200, `<!doctype html>
<html><body>
<h1>Device sign-in</h1>
<form method="post" action="/oauth/device/verify">
  <p><label>Code shown by your device <input name="user_code" value="${code}" autofocus></label></p>
  <p><label>Sign in as <input name="user" value="${escapeHtml(authorizeUser)}"></label></p>
  <p><button name="action" value="approve">Approve</button> <button name="action" value="deny">Deny</button></p>
</form>
</body></html>`);
  }

  function verifyAnswer(req: Req): Reply {
    const f = form(req);
    const code = f.get('user_code') ?? '';
    const letters = (c: string): string => c.toUpperCase().replace(/[^A-Z]/g, '');
    const pending = grants.pendingUserCodes().find((c) => letters(c) === letters(code));
    if (!pending) return html(400, '<html><body><h1>Unknown or expired code</h1><p><a href="/oauth/device/verify">Try again</a></p></body></html>');
    if (f.get('action') === 'deny') {
      controls.denyDevice(pending);
      return html(200, '<html><body><h1>Denied</h1><p>The device was not signed in.</p></body></html>');
    }
    controls.approveDevice(pending, f.get('user')?.trim() || authorizeUser);
    return html(200, '<html><body><h1>Approved</h1><p>You can return to your terminal.</p></body></html>');
  }

  function logout(req: Req): Reply {
    grants.refreshTokens.delete(form(req).get('refresh_token') ?? '');
    const back = req.query.get('post_logout_redirect_uri');
    return back ? redirect(back) : html(200, '<html><body>You are logged out.</body></html>');
  }

  /**
   * RFC 7009: the token is no longer valid, whatever it was; an unknown token
   * is answered 200 too (section 2.2). A public client names itself.
   */
  function revoke(req: Req): Reply {
    const f = form(req);
    if (!f.get('client_id')) return json(401, { error: 'invalid_client' });
    if (!f.get('token')) return oauthError('invalid_request', 'Missing form parameter: token');
    grants.refreshTokens.delete(f.get('token') ?? '');
    return { status: 200, headers: {}, body: '' };
  }

  const at = (path: string): RegExp => new RegExp(`^/oauth/${path}$`);
  const routes: Route[] = [
    { method: 'POST', pattern: at('device'), handler: device },
    { method: 'GET', pattern: at('device/verify'), handler: verifyPage },
    { method: 'POST', pattern: at('device/verify'), handler: verifyAnswer },
    { method: 'GET', pattern: at('authorize'), handler: authorize },
    { method: 'POST', pattern: at('token'), handler: token },
    { method: 'GET', pattern: at('jwks'), handler: () => json(200, deps.signer.jwks()) },
    { method: 'GET', pattern: at('logout'), handler: logout },
    { method: 'POST', pattern: at('logout'), handler: logout },
    { method: 'POST', pattern: at('revoke'), handler: revoke },
    { method: 'GET', pattern: at('\\.well-known/openid-configuration'), handler: () => json(200, {
      issuer: issuer(), authorization_endpoint: `${issuer()}/authorize`, token_endpoint: `${issuer()}/token`,
      device_authorization_endpoint: `${issuer()}/device`, jwks_uri: `${issuer()}/jwks`,
      end_session_endpoint: `${issuer()}/logout`, revocation_endpoint: `${issuer()}/revoke`, code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'password', DEVICE_GRANT],
    }) },
  ];

  const controls: OAuthControls = {
    setPassword: (user, password) => void grants.passwords.set(user, password),
    approveDevice: (code, user) => {
      const grant = grants.byUserCode(code);
      grant.status = 'approved';
      grant.user = user;
    },
    denyDevice: (code) => void (grants.byUserCode(code).status = 'denied'),
    expireDevice: (code) => void (grants.byUserCode(code).status = 'expired'),
    pendingUserCodes: () => grants.pendingUserCodes(),
    setDeviceInterval: (seconds) => void (grants.deviceInterval = seconds),
    slowDownNext: (n) => void (grants.slowDowns = n),
    tamper: (opts) => {
      grants.wrongState = opts.wrongState ?? false;
      grants.wrongNonce = opts.wrongNonce ?? false;
      grants.noIdTokenOnRefresh = opts.noIdTokenOnRefresh ?? false;
    },
    setAuthorizeUser: (user) => void (authorizeUser = user),
    refreshTokenActive: (value) => grants.refreshTokens.has(value),
    count: (grantType) => grants.grantCounts.get(grantType === 'device_code' ? DEVICE_GRANT : grantType) ?? 0,
  };
  return { routes, controls };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
