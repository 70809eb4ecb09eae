// Exercises the local OSMO server over real HTTP, the way the CLI will meet
// it, so the end-to-end tests can trust what it answers.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { skipOrFail } from './helpers/unavailable.js';

const USER = 'user@example.com';
const ADMIN = 'admin@example.com';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

let srv: OsmoServer;
before(async () => {
  srv = await startOsmoServer();
});
after(async () => {
  await srv.close();
});

const call = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${srv.url}${path}`, init);
const bearer = (jwt: string): RequestInit => ({ headers: { authorization: `Bearer ${jwt}` } });
const dev = (user: string, method = 'GET'): RequestInit => ({ method, headers: { 'x-osmo-user': user } });

async function exchange(pat: string): Promise<Response> {
  return call('/api/auth/jwt/access_token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }),
  });
}

async function jwtFor(pat: string): Promise<string> {
  const res = await exchange(pat);
  assert.equal(res.status, 200);
  return ((await res.json()) as { token: string }).token;
}

async function tokenCall(form: Record<string, string>): Promise<Response> {
  return call('/oauth/token', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form),
  });
}

describe('PAT exchange', () => {
  it('issues an RS256 JWT with exactly the real claims', async () => {
    const pat = srv.issuePat(USER, 'exchange-ok', { roles: ['osmo-user'] });
    const res = await exchange(pat);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; expires_at: number; error: null };
    assert.equal(body.error, null);
    assert.ok(Number.isInteger(body.expires_at));
    assert.deepEqual(Object.keys(headerOf(body.token)).sort(), ['alg', 'kid', 'typ']);
    assert.equal(headerOf(body.token).alg, 'RS256');
    const claims = claimsOf(body.token);
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'nbf', 'osmo_token_name', 'roles', 'unique_name']);
    assert.equal(claims.iss, 'osmo');
    assert.equal(claims.aud, 'osmo');
    assert.equal(claims.unique_name, USER);
    assert.deepEqual(claims.roles, ['osmo-user']);
    assert.equal(claims.osmo_token_name, 'exchange-ok');
    assert.equal(claims.exp, body.expires_at);
    assert.equal((claims.exp as number) - (claims.iat as number), 300);
  });

  it('publishes the signing key at /oauth/jwks', async () => {
    const jwt = await jwtFor(srv.issuePat(USER, 'jwks-check'));
    const { keys } = (await (await call('/oauth/jwks')).json()) as { keys: Array<Record<string, string>> };
    const key = keys.find((k) => k.kid === headerOf(jwt).kid);
    assert.ok(key);
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const pub = createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), pub, Buffer.from(s, 'base64url')));
  });

  it('rejects unknown and expired PATs with the service message', async () => {
    const unknown = await exchange('nope');
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { message: 'Access Token is invalid', error_code: 'USER', workflow_id: null });
    for (const [name, expiresAt] of [['expired-today', day(0)], ['expired-past', day(-3)]] as const) {
      const res = await exchange(srv.issuePat(USER, name, { expiresAt }));
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { message: string }).message, 'Access Token has expired');
    }
  });

  it('answers 422 in the FastAPI shape for a missing or broken body', async () => {
    const empty = await call('/api/auth/jwt/access_token', { method: 'POST' });
    assert.equal(empty.status, 422);
    assert.deepEqual(await empty.json(), {
      detail: [{ type: 'missing', loc: ['body', 'token'], msg: 'Field required', input: null }],
    });
    const noField = await call('/api/auth/jwt/access_token', { method: 'POST', body: '{}' });
    assert.equal(noField.status, 422);
    const broken = await call('/api/auth/jwt/access_token', { method: 'POST', body: '{nope' });
    assert.equal(broken.status, 422);
    const detail = ((await broken.json()) as { detail: Array<{ type: string; loc: unknown[] }> }).detail;
    assert.equal(detail[0]?.type, 'json_invalid');
  });
});

describe('token management', () => {
  let jwt: string;
  before(async () => {
    jwt = await jwtFor(srv.issuePat(USER, 'session-token'));
  });
  const create = (name: string, query: string): Promise<Response> =>
    call(`/api/auth/access_token/${encodeURIComponent(name)}?${query}`, { method: 'POST', ...bearer(jwt) });

  it('creates, lists, shows roles and deletes', async () => {
    const res = await create('my-token', `expires_at=${day(30)}&description=My+automation+token&roles=osmo-user&roles=osmo-ml-team`);
    assert.equal(res.status, 200);
    const pat = (await res.json()) as string;
    assert.match(pat, /^[A-Za-z0-9_-]{43}$/);

    const list = (await (await call('/api/auth/access_token', bearer(jwt))).json()) as Array<Record<string, unknown>>;
    // Earlier suites seeded tokens for the same user; the newest come last.
    assert.deepEqual(list.slice(-2).map((t) => t.token_name), ['session-token', 'my-token']);
    assert.deepEqual(list.at(-1), {
      user_name: USER, token_name: 'my-token', expires_at: `${day(30)}T00:00:00`,
      description: 'My automation token', roles: ['osmo-user', 'osmo-ml-team'],
    });

    const roles = (await (await call('/api/auth/access_token/my-token/roles', bearer(jwt))).json()) as {
      user_name: string; token_name: string; roles: Array<{ role_name: string; assigned_by: string; assigned_at: string }>;
    };
    assert.equal(roles.user_name, USER);
    assert.equal(roles.token_name, 'my-token');
    assert.deepEqual(roles.roles.map((r) => [r.role_name, r.assigned_by]), [['osmo-user', USER], ['osmo-ml-team', USER]]);
    assert.match(roles.roles[0]?.assigned_at ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);

    // The new PAT works on its own.
    assert.equal(claimsOf(await jwtFor(pat)).osmo_token_name, 'my-token');

    const del = await call('/api/auth/access_token/my-token', { method: 'DELETE', ...bearer(jwt) });
    assert.equal(del.status, 200);
    assert.match(del.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(await del.text(), 'null');
    const again = await call('/api/auth/access_token/my-token', { method: 'DELETE', ...bearer(jwt) });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { message: string }).message, 'Access token my-token not found');
    const gone = await call('/api/auth/access_token/my-token/roles', bearer(jwt));
    assert.equal(gone.status, 400);
  });

  it('inherits all of the user\'s roles when none are given', async () => {
    assert.equal((await create('inherit', `expires_at=${day(5)}`)).status, 200);
    const roles = (await (await call('/api/auth/access_token/inherit/roles', bearer(jwt))).json()) as { roles: Array<{ role_name: string }> };
    assert.deepEqual(roles.roles.map((r) => r.role_name), ['osmo-user', 'osmo-ml-team']);
  });

  it('validates like the real service', async () => {
    const missing = await create('no-date', 'description=x');
    assert.equal(missing.status, 422);
    assert.deepEqual(await missing.json(), {
      detail: [{ type: 'missing', loc: ['query', 'expires_at'], msg: 'Field required', input: null }],
    });
    for (const bad of ['2027-13-01', '2027-02-30', 'tomorrow', '2027-1-1']) {
      const res = await create('bad-date', `expires_at=${bad}`);
      assert.equal(res.status, 500, bad);
      assert.equal(await res.text(), 'Internal Server Error');
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    }
    const messages: Array<[string, string, RegExp]> = [
      ['-leading-dash', `expires_at=${day(5)}`, /invalid/i],
      ['trailing-', `expires_at=${day(5)}`, /invalid/i],
      ['past', `expires_at=${day(-1)}`, /must be in the future/],
      ['today', `expires_at=${day(0)}`, /must be in the future/],
      ['too-far', `expires_at=${day(366)}`, /cannot be more than 365 days/],
      ['session-token', `expires_at=${day(5)}`, /Access token session-token already exists/],
      ['not-mine', `expires_at=${day(5)}&roles=osmo-admin`, /osmo-admin/],
    ];
    for (const [name, query, message] of messages) {
      const res = await create(name, query);
      assert.equal(res.status, 400, name);
      const body = (await res.json()) as { message: string; error_code: string };
      assert.match(body.message, message);
      assert.equal(body.error_code, 'USER');
    }
    assert.equal((await create('at-the-limit', `expires_at=${day(365)}`)).status, 200);
  });
});

describe('gateway authentication', () => {
  it('answers plain-text 401s with WWW-Authenticate', async () => {
    const cases: Array<[RequestInit, string]> = [
      [{}, 'Jwt is missing'],
      [bearer('not.a.jwt'), 'Jwt verification fails'],
      [{ headers: { authorization: 'Basic dXNlcjpwdw==' } }, 'Jwt is missing'],
    ];
    for (const [init, text] of cases) {
      const res = await call('/api/auth/access_token', init);
      assert.equal(res.status, 401);
      assert.equal(await res.text(), text);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="osmo"/);
    }
  });

  it('reports expiry, and key rotation as a verification failure', async () => {
    const pat = srv.issuePat(USER, 'short-lived');
    srv.setJwtLifetime(-1);
    const expired = await jwtFor(pat);
    srv.setJwtLifetime(300);
    const res = await call('/api/auth/access_token', bearer(expired));
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'Jwt is expired');

    const fresh = await jwtFor(pat);
    assert.equal((await call('/api/auth/access_token', bearer(fresh))).status, 200);
    srv.rotateSigningKey();
    const rotated = await call('/api/auth/access_token', bearer(fresh));
    assert.equal(rotated.status, 401);
    assert.equal(await rotated.text(), 'Jwt verification fails');
    assert.equal((await call('/api/auth/access_token', bearer(await jwtFor(pat)))).status, 200);
  });

  it('trusts x-osmo-user in dev mode only', async () => {
    const res = await call('/api/auth/access_token', dev('someone@example.com'));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), []);
    const strict = await startOsmoServer({ devMode: false });
    try {
      const denied = await fetch(`${strict.url}/api/auth/access_token`, dev(USER));
      assert.equal(denied.status, 401);
      assert.equal(await denied.text(), 'Jwt is missing');
    } finally {
      await strict.close();
    }
  });

  it('gives a non-admin a plain-text 403 on the admin routes', async () => {
    for (const [method, path] of [['GET', `/api/auth/user/${USER}/access_token`], ['POST', `/api/auth/user/${USER}/access_token/x?expires_at=${day(3)}`], ['DELETE', `/api/auth/user/${USER}/access_token/x`]]) {
      const res = await call(path ?? '', dev(USER, method));
      assert.equal(res.status, 403);
      assert.equal(await res.text(), 'access denied');
    }
  });

  it('lets an admin manage another user\'s tokens', async () => {
    const adminJwt = await jwtFor(srv.issuePat(ADMIN, 'admin-session'));
    const created = await call(`/api/auth/user/${encodeURIComponent('bob@example.com')}/access_token/for-bob?expires_at=${day(10)}&roles=osmo-user`, { method: 'POST', ...bearer(adminJwt) });
    assert.equal(created.status, 200);
    const bobRoles = (await (await call('/api/auth/access_token/for-bob/roles', dev('bob@example.com'))).json()) as { user_name: string; roles: Array<{ assigned_by: string }> };
    assert.equal(bobRoles.user_name, 'bob@example.com');
    assert.equal(bobRoles.roles[0]?.assigned_by, ADMIN);
    const list = (await (await call('/api/auth/user/bob@example.com/access_token', bearer(adminJwt))).json()) as Array<{ token_name: string }>;
    assert.deepEqual(list.map((t) => t.token_name), ['for-bob']);
    const del = await call('/api/auth/user/bob@example.com/access_token/for-bob', { method: 'DELETE', ...bearer(adminJwt) });
    assert.equal(await del.text(), 'null');
  });

  it('warns about an expiring PAT only to clients that send their version', async () => {
    const soon = await jwtFor(srv.issuePat(USER, 'ci-token', { expiresAt: day(3) }));
    const later = await jwtFor(srv.issuePat(USER, 'later-token', { expiresAt: day(30) }));
    const withVersion = (jwt: string): RequestInit => ({ headers: { authorization: `Bearer ${jwt}`, 'x-osmo-client-version': '6.0.0' } });
    const warned = await call('/api/auth/access_token', withVersion(soon));
    assert.equal(Buffer.from(warned.headers.get('x-osmo-warning') ?? '', 'base64').toString(), `Access token ci-token is expiring on ${day(3)}`);
    assert.equal((await call('/api/auth/access_token', bearer(soon))).headers.get('x-osmo-warning'), null);
    assert.equal((await call('/api/auth/access_token', withVersion(later))).headers.get('x-osmo-warning'), null);
  });
});

describe('routing', () => {
  it('answers FastAPI 404 and 405, and LoginInfo', async () => {
    const notFound = await call('/api/nothing');
    assert.equal(notFound.status, 404);
    assert.deepEqual(await notFound.json(), { detail: 'Not Found' });
    const wrongMethod = await call('/api/auth/access_token', { method: 'PUT' });
    assert.equal(wrongMethod.status, 405);
    const info = (await (await call('/api/auth/login')).json()) as Record<string, string>;
    assert.deepEqual(Object.keys(info).sort(), ['browser_client_id', 'browser_endpoint', 'device_client_id', 'device_endpoint', 'logout_endpoint', 'token_endpoint']);
    assert.equal(info.token_endpoint, `${srv.url}/oauth/token`);
    assert.equal(info.device_client_id, 'osmo-device');
  });
});

describe('faults', () => {
  beforeEach(() => {
    srv.clearFaults();
    srv.resetCounts();
  });

  it('answers a queued status with an HTML page once, then normally; all requests counted', async () => {
    srv.fault({ route: 'GET /api/auth/login', status: 502, body: '<html><body>Bad Gateway</body></html>' });
    const other = await call('/api/auth/access_token', dev(USER));
    assert.equal(other.status, 200);
    const faulted = await call('/api/auth/login?x=1');
    assert.equal(faulted.status, 502);
    assert.match(faulted.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await faulted.text(), /Bad Gateway/);
    assert.equal((await call('/api/auth/login')).status, 200);
    assert.equal(srv.count('GET /api/auth/login'), 2);
    assert.equal(srv.count(), 3);
    assert.equal(srv.requests[1]?.query, 'x=1');
    assert.equal(srv.requests[0]?.headers['x-osmo-user'], USER);
  });

  it('matches route prefixes, repeats, adds headers, and clears', async () => {
    srv.fault({ route: 'GET /api/auth/access_token', status: 429, times: Infinity, headers: { 'retry-after': '7' } });
    for (const path of ['/api/auth/access_token', '/api/auth/access_token/x/roles']) {
      const res = await call(path, dev(USER));
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
    }
    assert.equal((await call('/api/auth/login')).status, 200);
    srv.clearFaults();
    assert.equal((await call('/api/auth/access_token', dev(USER))).status, 200);
  });

  it('delays, then answers normally', async () => {
    srv.fault({ route: 'GET /api/auth/login', delayMs: 300 });
    const start = Date.now();
    const res = await call('/api/auth/login');
    assert.equal(res.status, 200);
    assert.ok(Date.now() - start >= 290);
  });

  it('drops the connection immediately or in the middle of the body', async () => {
    srv.fault({ route: 'POST /api/auth/jwt/access_token', drop: 'immediately' });
    await assert.rejects(exchange('x'));
    srv.fault({ route: 'GET /api/auth/login', drop: 'mid-body' });
    const res = await call('/api/auth/login');
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    assert.equal(srv.count('POST /api/auth/jwt/access_token'), 1);
    assert.equal((await call('/api/auth/login')).status, 200);
  });
});

describe('OAuth provider', () => {
  async function startDevice(): Promise<{ device_code: string; user_code: string; interval: number; verification_uri_complete: string }> {
    const res = await call('/oauth/device', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'osmo-device', scope: 'openid offline_access' }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { device_code: string; user_code: string; interval: number; verification_uri_complete: string };
  }
  const poll = (deviceCode: string): Promise<Response> =>
    tokenCall({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'osmo-device' });
  const errorOf = async (res: Response): Promise<string> => ((await res.json()) as { error: string }).error;

  it('runs the device flow: pending, slow_down, approval, single use', async () => {
    srv.oauth.setDeviceInterval(2);
    const grant = await startDevice();
    srv.oauth.setDeviceInterval(1);
    assert.match(grant.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(grant.interval, 2);
    assert.ok(grant.verification_uri_complete.includes(grant.user_code));
    assert.ok(srv.oauth.pendingUserCodes().includes(grant.user_code));
    const before = srv.oauth.count('device_code');
    const pending = await poll(grant.device_code);
    assert.equal(pending.status, 400);
    assert.equal(await errorOf(pending), 'authorization_pending');
    srv.oauth.slowDownNext(1);
    assert.equal(await errorOf(await poll(grant.device_code)), 'slow_down');
    srv.oauth.approveDevice(grant.user_code, USER);
    const ok = await poll(grant.device_code);
    assert.equal(ok.status, 200);
    const tokens = (await ok.json()) as Record<string, string | number>;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 300);
    assert.equal(tokens.scope, 'openid offline_access');
    const id = claimsOf(String(tokens.id_token));
    assert.equal(id.iss, `${srv.url}/oauth`);
    assert.equal(id.aud, 'osmo-device');
    assert.equal(id.email, USER);
    assert.equal(id.preferred_username, USER);
    assert.equal(typeof id.name, 'string');
    assert.equal(typeof id.sub, 'string');
    const list = await call('/api/auth/access_token', bearer(String(tokens.access_token)));
    assert.equal(list.status, 200);
    assert.equal(await errorOf(await poll(grant.device_code)), 'invalid_grant');
    assert.equal(srv.oauth.count(DEVICE_GRANT) - before, 4);
  });

  it('reports denied and expired device codes', async () => {
    const denied = await startDevice();
    srv.oauth.denyDevice(denied.user_code);
    assert.equal(await errorOf(await poll(denied.device_code)), 'access_denied');
    const expired = await startDevice();
    srv.oauth.expireDevice(expired.user_code.toLowerCase().replace('-', ''));
    assert.equal(await errorOf(await poll(expired.device_code)), 'expired_token');
    assert.ok(!srv.oauth.pendingUserCodes().includes(expired.user_code));
  });

  it('checks passwords', async () => {
    srv.oauth.setPassword(ADMIN, 's3cret');
    const bad = await tokenCall({ grant_type: 'password', client_id: 'osmo-browser', username: ADMIN, password: 'nope' });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'invalid_grant', error_description: 'Invalid user credentials' });
    const good = await tokenCall({ grant_type: 'password', client_id: 'osmo-browser', username: ADMIN, password: 's3cret' });
    assert.equal(good.status, 200);
    const { access_token } = (await good.json()) as { access_token: string };
    assert.equal((await call(`/api/auth/user/${USER}/access_token`, bearer(access_token))).status, 200);
    assert.ok(srv.oauth.count('password') >= 2);
  });

  it('runs the authorization code flow with PKCE, nonce and state, and rotates refresh tokens', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://127.0.0.1:9/callback';
    const authorize = (extra: Record<string, string> = {}): Promise<Response> => call(`/oauth/authorize?${new URLSearchParams({
      response_type: 'code', client_id: 'osmo-browser', redirect_uri: redirectUri, state: 'st-1',
      code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-1', scope: 'openid offline_access', ...extra,
    })}`, { redirect: 'manual' });
    const codeFrom = async (res: Response): Promise<URL> => {
      assert.equal(res.status, 302);
      return new URL(res.headers.get('location') ?? '');
    };
    const exchangeCode = (code: string, codeVerifier = verifier): Promise<Response> => tokenCall({
      grant_type: 'authorization_code', client_id: 'osmo-browser', code, redirect_uri: redirectUri, code_verifier: codeVerifier,
    });

    const back = await codeFrom(await authorize());
    assert.equal(`${back.origin}${back.pathname}`, redirectUri);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const code = back.searchParams.get('code') ?? '';
    const ok = await exchangeCode(code);
    assert.equal(ok.status, 200);
    const tokens = (await ok.json()) as { id_token: string; refresh_token: string; access_token: string };
    assert.equal(claimsOf(tokens.id_token).nonce, 'n-1');
    assert.equal(claimsOf(tokens.id_token).aud, 'osmo-browser');
    assert.equal(((await (await exchangeCode(code)).json()) as { error: string }).error, 'invalid_grant');

    const wrong = await exchangeCode((await codeFrom(await authorize())).searchParams.get('code') ?? '', 'x'.repeat(43));
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');
    const plain = await codeFrom(await authorize({ code_challenge_method: 'plain' }));
    assert.equal(plain.searchParams.get('error'), 'invalid_request');

    srv.oauth.tamper({ wrongState: true, wrongNonce: true });
    const tampered = await codeFrom(await authorize());
    assert.notEqual(tampered.searchParams.get('state'), 'st-1');
    const tamperedTokens = (await (await exchangeCode(tampered.searchParams.get('code') ?? '')).json()) as { id_token: string };
    assert.notEqual(claimsOf(tamperedTokens.id_token).nonce, 'n-1');
    srv.oauth.tamper({});
    assert.equal((await codeFrom(await authorize())).searchParams.get('state'), 'st-1');

    const refresh = (token: string): Promise<Response> => tokenCall({ grant_type: 'refresh_token', client_id: 'osmo-browser', refresh_token: token });
    const first = await refresh(tokens.refresh_token);
    assert.equal(first.status, 200);
    const next = (await first.json()) as { refresh_token: string; access_token: string };
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.equal(((await (await refresh(tokens.refresh_token)).json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await refresh(next.refresh_token)).status, 200);
    assert.equal((await call('/api/auth/access_token', bearer(next.access_token))).status, 200);
  });

  it('rejects unknown grant types and non-form bodies', async () => {
    assert.equal(((await (await tokenCall({ grant_type: 'magic', client_id: 'c' })).json()) as { error: string }).error, 'unsupported_grant_type');
    const jsonBody = await call('/oauth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"password"}' });
    assert.equal(jsonBody.status, 400);
    assert.equal(((await jsonBody.json()) as { error: string }).error, 'invalid_request');
  });
});

describe('standalone and TLS', () => {
  it('main.ts prints the URL first and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/server/main.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', () => reject(new Error('server exited early')));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${url}/api/auth/login`)).status, 200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('serves https when given a key and certificate', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'osmo-tls-'));
    try {
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'),
        '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      if (made.status !== 0) {
        skipOrFail(t, 'openssl not available');
        return;
      }
      const tls = await startOsmoServer({ tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } });
      try {
        assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const status = await new Promise<number | undefined>((resolve, reject) => {
          httpsGet(`${tls.url}/api/auth/login`, { rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve(res.statusCode);
          }).on('error', reject);
        });
        assert.equal(status, 200);
      } finally {
        await tls.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
