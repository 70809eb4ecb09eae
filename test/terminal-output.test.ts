// Issue 19, finding 8: what a server sent never reaches the terminal raw, also
// where the earlier work (issue 13) left gaps: the JWT that print-token prints,
// strings inside -t json output, and --debug stack traces. In-process through
// main() (test/helpers/in-process.ts): what reaches the terminal is its output.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXCHANGE, useServer } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { HOSTILE_TEXT, HOSTILE_USER } from './server/hostile.js';

const server = useServer({ hostile: true });
const newUser = (env: Record<string, string> = {}): ReturnType<typeof inProcessUser> => inProcessUser(undefined, env);

// What JSON.stringify leaves raw and a terminal acts on: DEL, C1 controls, bidi overrides.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
// Anything that acts on a terminal, line breaks apart.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('-t json escapes C1 controls and bidi overrides, and stays the same JSON', () => {
  it('data on stdout: token list -t json', async () => {
    const { osmo } = newUser({ OSMO_URL: server().url, OSMO_TOKEN: server().issuePat(HOSTILE_USER, 'json-list', { description: 'nightly' }) });
    const res = await osmo(['token', 'list', '-t', 'json']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(RAW_IN_JSON.exec(res.stdout), null, res.stdout);
    assert.ok(res.stdout.includes('\\u202e') && res.stdout.includes('\\u009b'), 'escaped as \\u…');
    const [token] = JSON.parse(res.stdout) as Array<{ description: string; user_name: string }>;
    assert.equal(token?.description, `nightly${HOSTILE_TEXT}`, 'the value is exactly what the server sent');
  });
});

describe('--debug stack traces are terminal-safe', () => {
  it('an error quoting a server (a token endpoint that is not a URL): the stack\'s message line is escaped too', async () => {
    const { osmo } = newUser();
    server().fault({
      route: 'GET /api/auth/login',
      status: 200,
      body: JSON.stringify({ token_endpoint: 'http://evil\u001b[2J\u009b\u202e\r\nexample/token', device_endpoint: null, device_client_id: 'c', browser_endpoint: null, browser_client_id: null, logout_endpoint: null }),
    });
    const res = await osmo(['--debug', 'login', server().url, '--method', 'code']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /\n {4}at /, 'a stack was printed');
    assert.equal(UNSAFE.exec(res.stderr), null, res.stderr);
  });
});

describe('print-token prints only a well-formed JWT', () => {
  for (const [i, [label, token]] of ([
    ['escape sequences', `eyJhbGciOiJSUzI1NiJ9.e30.c2ln\u001b]0;owned\u0007`],
    ['two segments', 'eyJhbGciOiJSUzI1NiJ9.e30'],
    ['an empty signature', 'eyJhbGciOiJub25lIn0.e30.'],
    ['a line break', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln\nnext'],
  ] as const).entries()) {
    it(`a "JWT" with ${label} is an error, and stdout stays empty`, async () => {
      const { osmo } = newUser({ OSMO_URL: server().url, OSMO_TOKEN: server().issuePat('user@example.com', `print-bad-${i}`) });
      server().fault({ route: EXCHANGE, status: 200, contentType: 'application/json', body: JSON.stringify({ token, expires_at: Math.floor(Date.now() / 1000) + 300 }) });
      const res = await osmo(['print-token']);
      assert.equal(res.stdout, '');
      assert.equal(res.code, 10, res.stderr);
      assert.match(res.stderr, /^Error: the token http:\/\/127\.0\.0\.1:\d+ issued is not a JWT\n/);
      assert.ok(!res.stderr.includes('c2ln'), 'not repeated on stderr either');
    });
  }
});
