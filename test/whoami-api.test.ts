import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXCHANGE, LIST, futureDate, newUser as newProcessUser, tokenLogin, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { hashTree, tempDir } from './helpers/cli.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';

// In-process (test/helpers/in-process.ts), except two runs through bin/osmo
// that keep these commands' exit codes and output checked end to end: whoami
// when not logged in, and print-token's JWT.
const clock = new TestClock();
const server = useServer({ now: clock.now });
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser(clock);

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('osmo whoami', () => {
  it('exits 2 when not logged in, so scripts can test the login state', async () => {
    const { osmo } = newProcessUser();
    const res = await osmo(['whoami']);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^Error: you are not logged in\n {2}run `osmo login URL/);
  });

  it('its help does not present it as a check that the login works, and points to osmo status', async () => {
    const { osmo } = newUser();
    const res = await osmo(['whoami', '--help']);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stdout, /whoami >\/dev\/null|test the login state/);
    assert.match(res.stdout, /does not ask\nthe service whether the login still works\. `osmo status` does/);
    assert.match(res.stdout, /\$ osmo status >\/dev\/null \|\| osmo login/);
  });

  it('after a token login: server, user, roles, method, store, expiries, and no request while the JWT is fresh', async () => {
    const { osmo, dir } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'whoami-token');
    server().resetCounts();
    const res = await osmo(['whoami']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server().count(), 0, 'a fresh cached JWT answers whoami without any request');
    const lines = res.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['Server', 'User', 'Roles', 'Login method', 'Credentials', 'JWT expires', 'Access token']);
    assert.match(res.stdout, new RegExp(`^Server: +${server().url}\n`));
    assert.match(res.stdout, /\nUser: +user@example\.com\n/);
    assert.match(res.stdout, /\nRoles: +osmo-user, osmo-ml-team\n/);
    assert.match(res.stdout, /\nLogin method: +token \(personal access token\)\n/);
    assert.ok(res.stdout.includes(`Credentials:  ${join(dir, 'credentials.json')} (readable only by you)`), res.stdout);
    assert.match(res.stdout, /\nJWT expires: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in [45] min\)\n/);
    assert.match(res.stdout, /\nAccess token: +whoami-token/);

    const json = await osmo(['whoami', '-t', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report), ['server', 'user', 'name', 'roles', 'login_method', 'credential_source', 'secrets_store', 'jwt_expires_at', 'token']);
    assert.equal(report.server, server().url);
    assert.equal(report.user, 'user@example.com');
    assert.deepEqual(report.roles, ['osmo-user', 'osmo-ml-team']);
    assert.equal(report.login_method, 'token');
    assert.equal(report.secrets_store, 'file');
    assert.equal(report.credential_source, `the stored token login for ${server().url}`);
    assert.ok(Date.parse(report.jwt_expires_at as string) > Date.now());
    assert.equal((report.token as { name: string }).name, 'whoami-token');
    assert.equal(server().count(), 0);
  });

  it('renews a stale JWT first, with exactly one exchange', async () => {
    const { osmo } = newUser();
    await withJwtLifetime(server(), 20, async () => { // shorter than the 30 s margin: stale on arrival
      await tokenLogin(server(), osmo, 'user@example.com', 'stale-whoami');
      const before = server().count(EXCHANGE);
      const res = await osmo(['whoami', '-t', 'json']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(server().count(EXCHANGE), before + 1);
    });
  });

  it('a dev login: the user name, no roles, nothing stored, no request', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'alice@example.com']);
    server().resetCounts();
    const res = await osmo(['whoami', '-t', 'json']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server().count(), 0);
    const report = JSON.parse(res.stdout) as Record<string, unknown>;
    assert.equal(report.user, 'alice@example.com');
    assert.equal(report.roles, null);
    assert.equal(report.login_method, 'dev');
    assert.equal(report.secrets_store, 'none');
    assert.equal(report.jwt_expires_at, null);
  });

  it('CI mode (OSMO_URL + OSMO_TOKEN): says the credential is the environment and writes nothing', async () => {
    const { osmo, dir } = newUser();
    const pat = server().issuePat('user@example.com', 'env-whoami');
    const before = hashTree(dir);
    const res = await osmo(['whoami'], { env: { OSMO_URL: server().url, OSMO_TOKEN: pat } });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /\nCredentials: +OSMO_TOKEN in the environment \(nothing stored\)\n/);
    assert.match(res.stdout, /\nAccess token: +env-whoami\n?$/);
    assert.equal(hashTree(dir), before);
  });

  it('notes when OSMO_TOKEN hides a stored login', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const pat = server().issuePat('user@example.com', 'env-hides');
    const res = await osmo(['whoami'], { env: { OSMO_URL: server().url, OSMO_TOKEN: pat } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, `Note: OSMO_TOKEN in the environment takes precedence over the stored login for ${server().url}\n`);
  });
});

describe('authentication errors name where the credential came from', () => {
  it('a bad OSMO_TOKEN next to a good stored login says so and how to use the stored login', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'good-stored');
    assert.equal((await osmo(['token', 'list'])).code, 0);
    const res = await osmo(['token', 'list'], { env: { OSMO_URL: server().url, OSMO_TOKEN: 'stale-token-from-an-old-ci-secret' } });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Error: OSMO_TOKEN in the environment was refused: Access Token is invalid\n/);
    assert.ok(res.stderr.includes(`unset OSMO_TOKEN to use your stored login for ${server().url}`), res.stderr);
    assert.ok(!res.stderr.includes('stale-token-from-an-old-ci-secret'), 'the token itself is never shown');
  });
});

describe('osmo print-token', () => {
  it('prints only the cached JWT and a newline, which the service accepts', async () => {
    const { osmo } = newProcessUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'print-token');
    const before = server().count(EXCHANGE);
    const res = await osmo(['print-token']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.equal(res.stderr, '');
    assert.equal(server().count(EXCHANGE), before);
    const reply = await fetch(`${server().url}/api/auth/access_token`, { headers: { authorization: `Bearer ${res.stdout.trim()}` } });
    assert.equal(reply.status, 200);
  });

  it('renews a JWT that is about to expire before printing it', async () => {
    const { osmo } = newUser();
    await withJwtLifetime(server(), 20, async () => {
      await tokenLogin(server(), osmo, 'user@example.com', 'print-stale');
      const before = server().count(EXCHANGE);
      const res = await osmo(['print-token']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(server().count(EXCHANGE), before + 1);
      assert.equal(claimsOf(res.stdout.trim()).osmo_token_name, 'print-stale');
    });
  });

  it('works in CI mode', async () => {
    const { osmo } = newUser();
    const pat = server().issuePat('user@example.com', 'print-env');
    const res = await osmo(['print-token'], { env: { OSMO_URL: server().url, OSMO_TOKEN: pat } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(claimsOf(res.stdout.trim()).unique_name, 'user@example.com');
  });

  it('exits 2 for a dev login, which has no token', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'alice@example.com']);
    const res = await osmo(['print-token']);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^Error: the developer login for .* has no token/);
    assert.match(res.stderr, /x-osmo-user: alice@example\.com/);
  });
});

describe('osmo api', () => {
  it('GET prints pretty JSON; -f becomes the query; -H adds a header', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'api-get');
    const res = await osmo(['api', '/api/auth/access_token', '-f', 'limit=5', '-H', 'X-Trace: abc']);
    assert.equal(res.code, 0, res.stderr);
    const tokens = JSON.parse(res.stdout) as Array<{ token_name: string }>;
    assert.ok(tokens.some((t) => t.token_name === 'api-get'));
    assert.equal(res.stdout, `${JSON.stringify(tokens, null, 2)}\n`);
    const req = server().requests.filter((r) => r.path === '/api/auth/access_token').at(-1)!;
    assert.equal(req.query, 'limit=5');
    assert.equal(req.headers['x-trace'], 'abc');
    assert.match(String(req.headers.authorization), /^Bearer /);
  });

  it('the METHOD, -q query parameters and a path without /api/ prefix; DELETE', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const create = await osmo(['api', 'post', 'auth/access_token/api-made', '-q', `expires_at=${futureDate(20)}`, '-q', 'roles=osmo-user']);
    assert.equal(create.code, 0, create.stderr);
    assert.equal(typeof JSON.parse(create.stdout), 'string');
    const roles = JSON.parse((await osmo(['api', 'api/auth/access_token/api-made/roles'])).stdout) as { roles: Array<{ role_name: string }> };
    assert.deepEqual(roles.roles.map((r) => r.role_name), ['osmo-user']);
    const del = await osmo(['api', 'DELETE', '/api/auth/access_token/api-made']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'null\n');
  });

  it('POST: -f/-F fields make a JSON body; --input FILE and --input - send a JSON body', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const pat = server().issuePat('user@example.com', 'api-body');
    const lastBody = (): unknown => JSON.parse(server().requests.filter((r) => r.path === '/api/auth/jwt/access_token').at(-1)!.body);

    const fields = await osmo(['api', 'POST', '/api/auth/jwt/access_token', '-f', `token=${pat}`, '-F', 'n=3', '-F', 'on=true', '-f', 'tags[]=a', '-f', 'tags[]=b']);
    assert.equal(fields.code, 0, fields.stderr);
    assert.deepEqual(lastBody(), { token: pat, n: 3, on: true, tags: ['a', 'b'] });
    assert.equal(typeof (JSON.parse(fields.stdout) as { token: string }).token, 'string');

    const file = join(tempDir(), 'body.json');
    writeFileSync(file, JSON.stringify({ token: pat }));
    const fromFile = await osmo(['api', '/api/auth/jwt/access_token', '--input', file, '-f', 'trace=1']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual(lastBody(), { token: pat });
    const sent = server().requests.filter((r) => r.path === '/api/auth/jwt/access_token').at(-1)!;
    assert.equal(sent.method, 'POST', '--input alone implies POST');
    assert.equal(sent.query, 'trace=1', 'with --input, fields go to the query string');

    const fromStdin = await osmo(['api', 'POST', '/api/auth/jwt/access_token', '--input', '-'], { input: `{"token": "${pat}"}\n` });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.deepEqual(lastBody(), { token: pat });

    const notJson = await osmo(['api', 'POST', '/api/auth/jwt/access_token', '--input', '-'], { input: 'token=abc' });
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /--input body is not valid JSON/);
  });

  it('-i prints the status line and headers; a non-JSON body is printed as is', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    server().fault({ route: LIST, status: 200, body: 'plain words', contentType: 'text/plain' });
    const res = await osmo(['api', '-i', '/api/auth/access_token']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^HTTP 200\n(.+: .+\n)*content-type: text\/plain\n(.+: .+\n)*\nplain words\n$/);
  });

  it('error statuses: the body on stderr, exit 2 for 4xx, 75 for 429, 10 for 5xx', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const missing = await osmo(['api', '/api/no/such/thing']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^\{\n {2}"detail": "Not Found"\n\}\nError: GET \/api\/no\/such\/thing failed with HTTP 404 \(response body above\)\n/);

    server().fault({ route: LIST, status: 429, body: '{"message":"slow down","error_code":"USER","workflow_id":null}' });
    const limited = await osmo(['api', '/api/auth/access_token']);
    assert.equal(limited.code, 75);
    assert.match(limited.stderr, /"message": "slow down"/);

    server().fault({ route: LIST, status: 500, body: 'Internal Server Error', contentType: 'text/plain' });
    const broken = await osmo(['api', '/api/auth/access_token']);
    assert.equal(broken.code, 10);
    assert.match(broken.stderr, /^Internal Server Error\nError: GET \/api\/auth\/access_token failed with HTTP 500/);
  });

  it('an error body that echoes the JWT is shown with the JWT redacted', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'api-echo');
    const jwt = (await osmo(['print-token'])).stdout.trim();
    server().fault({ route: LIST, status: 400, body: `Bad request. Received headers: Authorization: Bearer ${jwt}`, contentType: 'text/plain' });
    const res = await osmo(['api', '/api/auth/access_token']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Bad request\. Received headers: Authorization: Bearer \[redacted\]\n/);
    assert.ok(!res.stderr.includes(jwt));
  });

  it('refuses other hosts and paths outside /api/, before any request', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    server().resetCounts();
    for (const path of ['https://evil.example.com/api/auth/access_token', 'http://localhost:1/api/x', '/oauth/token', '/api/../oauth/token', '//evil.example.com/api/x']) {
      const res = await osmo(['api', path]);
      assert.equal(res.code, 2, `${path}: ${res.stderr}`);
      assert.match(res.stderr, /^Error: (refusing to send your credential to|".*" is not an OSMO API path)/, path);
    }
    for (const args of [['FETCH', '/api/x'], ['GET'], ['/api/x', '-H', 'no colon'], ['/api/x', '-H', 'Authorization: Bearer x'], ['/api/x', '-f', 'novalue']]) {
      const res = await osmo(['api', ...args]);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    }
    assert.equal(server().count(), 0);
    const same = await osmo(['api', `${server().url}/api/auth/access_token`]);
    assert.equal(same.code, 0, same.stderr);
  });
});
