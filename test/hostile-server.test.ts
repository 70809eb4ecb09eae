// A hostile OSMO service and identity provider (test/server/hostile.ts):
// escape sequences and line breaks in every text field, OAuth errors that
// echo the request, a body that trickles. Findings 2, 4 and 5 of issue 13.
// osmo runs in-process through main() (test/helpers/in-process.ts) with the
// server's clock: what reaches the terminal is main()'s output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIST, useServer, withDeviceCode, withJwtLifetime } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { tempDir, withoutSpaces, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { HOSTILE_TEXT, HOSTILE_USER } from './server/hostile.js';

const clock = new TestClock();
const server = useServer({ hostile: true, now: clock.now });
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser(clock);
const BROWSER = withoutSpaces(fileURLToPath(new URL('./helpers/browser-follow.mjs', import.meta.url)));

// Anything that acts on a terminal; a line break is allowed only between lines osmo itself prints.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** How osmo shows the hostile text: every control character escaped, on one line. */
const SHOWN = '\\e[31m\\e]0;owned\\x07\\r\\n| forged | row | Active | 2099-01-01 |\\nUser: admin@example.com\\u202e\\x9b2J';

function assertTerminalSafe(res: RunResult): void {
  for (const [name, text] of [['stdout', res.stdout], ['stderr', res.stderr]] as const) {
    const bad = UNSAFE.exec(text);
    assert.equal(bad, null, `${name} carries ${JSON.stringify(bad?.[0])} from the server:\n${text}`);
  }
}

function lines(text: string): string[] {
  return text.trimEnd().split('\n');
}

describe('finding 2: server text is made safe for the terminal before it is printed', () => {
  it('token login, token list, roles, set, whoami and the replayed welcome show it escaped, on the lines they own', async () => {
    const { osmo, dir } = newUser();
    const pat = server().issuePat(HOSTILE_USER, 'hostile-token', { description: 'nightly job', assignedBy: 'admin@example.com' });
    const file = `${tempDir('osmo-pat-')}/token`;
    writeFileSync(file, pat, { mode: 0o600 });

    const login = await osmo(['login', server().url, '--method', 'token', '--token-file', file]);
    assert.equal(login.code, 0, login.stderr);
    assertTerminalSafe(login);
    assert.deepEqual(lines(login.stdout), [`Logging in to ${server().url}`, `Successfully logged in. Welcome mallory${SHOWN}@example.com.`]);

    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assertTerminalSafe(list);
    assert.ok(lines(list.stdout).every((l) => /^[+|]/.test(l)), list.stdout);
    assert.equal(lines(list.stdout).filter((l) => l.includes('hostile-token')).length, 1, 'one row, none forged');
    assert.ok(list.stdout.includes(`nightly job${SHOWN}`), list.stdout);

    const json = await osmo(['token', 'list', '-t', 'json']);
    assert.equal((JSON.parse(json.stdout) as Array<{ description: string }>)[0]?.description, `nightly job${HOSTILE_TEXT}`, 'JSON stays exact');

    const roles = await osmo(['token', 'roles', 'hostile-token']);
    assert.equal(roles.code, 0, roles.stderr);
    assertTerminalSafe(roles);
    const roleLines = lines(roles.stdout);
    assert.equal(roleLines.length, 5, roles.stdout);
    for (const [i, start] of ['Token: hostile-token\\e[31m', 'Owner: mallory\\e[31m', '', 'Roles:', '  - osmo-user\\e[31m'].entries()) {
      assert.ok(roleLines[i]!.startsWith(start), `line ${i}: ${roleLines[i]}`);
    }

    const set = await osmo(['token', 'set', 'another-token']);
    assert.equal(set.code, 0, set.stderr);
    assertTerminalSafe(set);
    assert.match(set.stdout, new RegExp(`^Access token: \\S+${SHOWN.replace(/[\\[\]|().]/g, '\\$&')}$`, 'm'));

    const whoami = await osmo(['whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assertTerminalSafe(whoami);
    assert.deepEqual(lines(whoami.stdout).map((l) => l.split(':')[0]), ['Server', 'User', 'Roles', 'Login method', 'Credentials', 'JWT expires', 'Access token']);

    // The user name was stored at login; switching back replays it (in the Switched line of issue 10).
    const again = await osmo(['login', server().url]);
    assert.equal(again.code, 0, again.stderr);
    assertTerminalSafe(again);
    assert.equal(lines(again.stdout).at(-1), `Switched to ${server().url} (token login as mallory${SHOWN}@example.com)`);
    assert.ok(readFileSync(`${dir}/config.json`, 'utf8').includes(JSON.stringify(HOSTILE_USER).slice(1, -1)), 'stored as the server sent it');
  });

  it('the device code, its verification URL and the ID token\'s name (--method code)', async () => {
    const { osmo } = newUser();
    const res = await withDeviceCode(
      server(),
      () => osmo(['login', server().url, '--method', 'code']),
      (code) => server().oauth.approveDevice(code, HOSTILE_USER),
    );
    assert.equal(res.code, 0, res.stderr);
    assertTerminalSafe(res);
    assert.match(res.stderr, /^To log in, open \S+\/oauth\/device\/verify\\e\[31m.* and enter the code [A-Z]{4}-[A-Z]{4}\\e\[31m/m);
    assert.match(lines(res.stdout).at(-1)!, /^Successfully logged in\. Welcome Mallory\\e\[31m/);
  });

  it('the authorization URL built from an advertised endpoint (--method pkce)', async () => {
    const { osmo } = newUser();
    const res = await osmo(['login', server().url], { env: { BROWSER } });
    assert.equal(res.code, 0, res.stderr);
    assertTerminalSafe(res);
    // The URL parser percent-encodes what the hostile fragment carried.
    assert.match(res.stderr, /^Open this URL in your browser: http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+#%1B\S+$/m);
  });

  it('osmo api: an error body shown on stderr keeps its lines but loses its escapes', async () => {
    const { osmo } = newUser();
    assert.equal((await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com'])).code, 0);
    // The gateway's plain-text 403: JSON bodies are re-indented, and JSON escaping already covers C0 there.
    const res = await osmo(['api', '/api/auth/user/admin@example.com/access_token']);
    assert.equal(res.code, 2, res.stderr);
    assertTerminalSafe(res);
    assert.ok(res.stderr.startsWith('access denied\\e[31m\\e]0;owned\\x07\\r\n| forged |'), res.stderr);
  });

  it('an advertised endpoint that is not a URL: one clean error line', async () => {
    const { osmo } = newUser();
    server().fault({
      route: 'GET /api/auth/login',
      status: 200,
      body: JSON.stringify({ token_endpoint: 'http://evil\u001b[2J\r\nexample/token', device_endpoint: null, device_client_id: 'c', browser_endpoint: null, browser_client_id: null, logout_endpoint: null }),
    });
    const res = await osmo(['login', server().url, '--method', 'code']);
    assertCleanFailure(res, { code: 2, message: /^the token endpoint named by the service ".*" is not a valid URL$/ });
    assertTerminalSafe(res);
  });
});

describe('finding 4: OAuth errors never repeat a secret of the request', () => {
  for (const password of ['wrong horse battery', 'p@ss w0rd+%', 'pw1']) {
    it(`a provider echoing the password login (${JSON.stringify(password)})`, async () => {
      const { osmo } = newUser();
      server().oauth.setPassword('svc@example.com', 'correct horse battery');
      const file = `${tempDir('osmo-pw-')}/password`;
      writeFileSync(file, password, { mode: 0o600 });
      const res = await osmo(['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password-file', file]);
      assertCleanFailure(res, { code: 2, message: /^the identity provider refused the user name or password of svc@example\.com \(invalid_grant: .*you sent: .*\[redacted\]/ });
      for (const form of [password, encodeURIComponent(password), new URLSearchParams({ p: password }).toString().slice(2)]) {
        assert.ok(!res.stderr.includes(form), `the password (as ${form}) was printed:\n${res.stderr}`);
      }
    });
  }

  it('a provider echoing a refresh that failed: not in the text error, nor in the -t json one', async () => {
    const { osmo, dir } = newUser();
    server().oauth.setPassword('svc@example.com', 'correct horse battery');
    await withJwtLifetime(server(), 31, async () => {
      const login = await osmo(['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password', 'correct horse battery']);
      assert.equal(login.code, 0, login.stderr);
    });
    const { refreshToken } = (JSON.parse(readFileSync(`${dir}/credentials.json`, 'utf8')) as { accounts: Record<string, { refreshToken: string }> }).accounts[server().url]!;
    // Someone else used (and so rotated away) the stored refresh token: the next renewal is refused.
    await fetch(`${server().url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'c' }) });
    clock.advance(1_200); // inside the 30 s renewal margin of the 31 s JWT
    for (const format of [[], ['-t', 'json']]) {
      const res = await osmo(['token', 'list', ...format]);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /has expired or was revoked \(invalid_grant: .*you sent: .*refresh_token=\[redacted\]/);
      assert.ok(!res.stderr.includes(refreshToken), `the refresh token was printed:\n${res.stderr}`);
    }
  });
});

describe('finding 5: OSMO_HTTP_TIMEOUT bounds the whole request, body included', () => {
  it('a body trickled one byte every 300 ms fails after the time-out, not after the body', async () => {
    const { osmo } = newUser();
    const login = await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    assert.equal(login.code, 0, login.stderr);
    // 200 bytes: a minute at this pace, yet no gap between bytes reaches the time-out.
    server().fault({ route: LIST, status: 200, body: ' '.repeat(200), contentType: 'application/octet-stream', trickleMs: 300 });
    const started = Date.now();
    const res = await osmo(['token', 'list'], { env: { OSMO_HTTP_TIMEOUT: '1' } });
    const ms = Date.now() - started;
    assertCleanFailure(res, { code: 10, message: /^no response from 127\.0\.0\.1:\d+ within 1 s$/ });
    // 1 s (slower on a loaded machine), far from the minute the body takes.
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });
});
