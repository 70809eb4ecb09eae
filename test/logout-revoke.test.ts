// Issue 19, finding 10: `osmo logout` of an OAuth login revokes its refresh
// token at the identity provider (RFC 7009); a PAT login's PAT is left alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { runOsmo } from './helpers/cli.js';

// In-process, but for the revoking logout's main path, which the real
// bin/osmo runs once (the first case).
const server = useServer();
const newUser = inProcessUser;
const REVOKE = 'POST /oauth/revoke';
const USER = 'svc@example.com';

async function passwordLogin(): Promise<{ osmo: ReturnType<typeof inProcessUser>['osmo']; dir: string; refreshToken: string }> {
  const { osmo, dir } = newUser();
  server().oauth.setPassword(USER, 'correct horse battery');
  const login = await osmo(['login', server().url, '--method', 'password', '--username', USER, '--password-stdin'], { input: 'correct horse battery\n' });
  assert.equal(login.code, 0, login.stderr);
  const stored = JSON.parse(readFileSync(`${dir}/credentials.json`, 'utf8')) as { accounts: Record<string, { refreshToken: string }> };
  const refreshToken = stored.accounts[server().url]!.refreshToken;
  assert.ok(server().oauth.refreshTokenActive(refreshToken));
  return { osmo, dir, refreshToken };
}

describe('logout revokes an OAuth login\'s refresh token at the identity provider', () => {
  it('the refresh token no longer works after logout', async () => {
    const { dir, refreshToken } = await passwordLogin();
    server().resetCounts();
    const res = await runOsmo(['logout'], dir);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Successfully logged out of ${server().url}.\n`);
    assert.equal(res.stderr, '', 'success is silent');
    assert.equal(server().count(REVOKE), 1);
    assert.equal(server().oauth.refreshTokenActive(refreshToken), false);
    const revoked = server().requests.find((r) => `${r.method} ${r.path}` === REVOKE)!;
    const form = new URLSearchParams(revoked.body);
    assert.equal(form.get('token_type_hint'), 'refresh_token');
    assert.ok(!readFileSync(`${dir}/credentials.json`, 'utf8').includes(refreshToken));
  });

  it('logout --all revokes every OAuth login', async () => {
    const { osmo, refreshToken } = await passwordLogin();
    const res = await osmo(['logout', '--all']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server().oauth.refreshTokenActive(refreshToken), false);
  });

  it('a provider that refuses: a warning, and the local logout happens all the same (exit 0)', async () => {
    const { osmo, dir, refreshToken } = await passwordLogin();
    server().fault({ route: REVOKE, status: 503, body: 'down for maintenance' });
    const res = await osmo(['logout']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Successfully logged out of ${server().url}.\n`);
    assert.match(res.stderr, /^Warning: the refresh token of \S+ could not be revoked at its identity provider \(.*503.*\); it stays valid there until it expires\n$/);
    assert.ok(!res.stderr.includes(refreshToken));
    assert.ok(!readFileSync(`${dir}/credentials.json`, 'utf8').includes(refreshToken), 'forgotten locally');
    assert.equal((await osmo(['status', '--offline'])).code, 2, 'logged out');
  });

  it('a provider that does not answer: bounded by OSMO_HTTP_TIMEOUT', async () => {
    const { osmo, refreshToken } = await passwordLogin();
    server().fault({ route: REVOKE, delayMs: 30_000 });
    const started = Date.now();
    const res = await osmo(['logout'], { env: { OSMO_HTTP_TIMEOUT: '1' } });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.match(res.stderr, /^Warning: the refresh token of \S+ could not be revoked/);
    assert.equal(server().oauth.refreshTokenActive(refreshToken), true, 'never reached the provider');
  });
});

describe('logout of a token login leaves the PAT on the service', () => {
  it('the PAT still works after logout, and logout --help says so', async () => {
    const { osmo } = newUser();
    const pat = await tokenLogin(server(), osmo, 'user@example.com', 'kept-at-logout');
    server().resetCounts();
    const res = await osmo(['logout']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    assert.equal(server().count(REVOKE), 0);
    const exchange = await fetch(`${server().url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }) });
    assert.equal(exchange.status, 200);
    const help = await osmo(['logout', '--help']);
    assert.match(help.stdout.replace(/\s+/g, ' '), /personal access token is NOT deleted on the service/);
  });
});
