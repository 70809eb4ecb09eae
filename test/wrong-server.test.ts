import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { EXCHANGE, newUser as newProcessUser, tokenLogin, withJwtLifetime } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { hashTree, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { startSecretService } from './helpers/secret-service.js';
import { skipOrFail } from './helpers/unavailable.js';
import { loadKeyringBinding } from '../src/store/keychain-binding.js';

// Issue 18: never the wrong server, never a swallowed command, never a dead
// credential. Each block is one item of the issue, end to end against real
// servers: in-process (test/helpers/in-process.ts), except through bin/osmo
// where the binary itself is the point: -v and --version (bin/osmo answers
// them before loading the program) and the Secret Service (D-Bus is per process).
const newUser = (env: Record<string, string | undefined> = {}): ReturnType<typeof inProcessUser> => inProcessUser(undefined, env);

let a: OsmoServer;
let b: OsmoServer;
before(async () => {
  [a, b] = await Promise.all([startOsmoServer(), startOsmoServer()]);
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
});

type Osmo = ReturnType<typeof inProcessUser>['osmo'];

function ok(res: RunResult): RunResult {
  assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}${res.stdout}`);
  return res;
}

function secretFile(text: string): string {
  const path = join(tempDir('osmo-tok-'), 'token');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

function credentials(dir: string): { accounts: Record<string, { pat?: string; jwt?: string }> } {
  return JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, { pat?: string; jwt?: string }> };
}

function config(dir: string): { current?: string; servers: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { current?: string; servers: Record<string, unknown> };
}

/** Token logins to B, then A: A is current. */
async function twoLogins(make: () => { dir: string; osmo: Osmo } = newUser): Promise<{ dir: string; osmo: Osmo }> {
  const user = make();
  await tokenLogin(b, user.osmo, 'user@example.com', `b-${Math.random().toString(36).slice(2, 8)}`);
  await tokenLogin(a, user.osmo, 'user@example.com', `a-${Math.random().toString(36).slice(2, 8)}`);
  return user;
}

describe('1. OSMO_URL without OSMO_TOKEN acts on that server only', () => {
  for (const [what, env] of [['unset', {}], ['empty', { OSMO_TOKEN: '' }]] as const) {
    it(`OSMO_TOKEN ${what}: deletes on OSMO_URL's server with its stored login, and the current login stays`, async () => {
      const { osmo, dir } = await twoLogins();
      const laptop = `laptop-${what}`;
      a.issuePat('user@example.com', laptop);
      b.issuePat('user@example.com', laptop);
      a.resetCounts();
      b.resetCounts();
      const res = ok(await osmo(['token', 'delete', laptop], { env: { OSMO_URL: `${b.url}/`, ...env } }));
      assert.equal(res.stdout, `Access token ${laptop} deleted\n`);
      assert.equal(b.count(`DELETE /api/auth/access_token/${laptop}`), 1);
      assert.equal(a.count(), 0, 'nothing sent to the current login\'s server');
      assert.equal(config(dir).current, a.url, 'the current login is unchanged');
      const list = JSON.parse(ok(await osmo(['token', 'list', '-t', 'json'])).stdout) as Array<{ token_name: string }>;
      assert.ok(list.some((t) => t.token_name === laptop), 'A still has its laptop token');
    });
  }

  it('a server without a stored login: exit 2 naming both variables, and nothing sent anywhere', async () => {
    const { osmo, dir } = await twoLogins();
    const other = await startOsmoServer();
    try {
      a.resetCounts();
      b.resetCounts();
      const before = hashTree(dir);
      const res = await osmo(['token', 'delete', 'laptop'], { env: { OSMO_URL: other.url, OSMO_TOKEN: '' } });
      assertCleanFailure(res, { code: 2, message: new RegExp(`^OSMO_URL is set to ${other.url} but there is no login for it, and OSMO_TOKEN is empty$`) });
      assert.equal(a.count() + b.count() + other.count(), 0);
      assert.equal(hashTree(dir), before);
    } finally {
      await other.close();
    }
  });

  it('status shows which login a command would use', async () => {
    const { osmo } = await twoLogins();
    const res = ok(await osmo(['status', '-t', 'json'], { env: { OSMO_URL: b.url } }));
    const rows = JSON.parse(res.stdout) as Array<{ server: string; current: boolean; in_use: boolean }>;
    assert.deepEqual(rows.map((r) => [r.server, r.current, r.in_use]), [[b.url, false, true], [a.url, true, false]]);
    const text = ok(await osmo(['status', '--offline'], { env: { OSMO_URL: b.url } })).stdout;
    assert.match(text, new RegExp(`^${b.url} \\(in use: OSMO_URL names it\\)$`, 'm'));
    assert.match(text, new RegExp(`^${a.url} \\(current, but not in use while OSMO_URL names another server\\)$`, 'm'));
  });

  it('whoami and print-token answer for OSMO_URL\'s login', async () => {
    const { osmo } = await twoLogins();
    const who = JSON.parse(ok(await osmo(['whoami', '-t', 'json'], { env: { OSMO_URL: b.url } })).stdout) as { server: string };
    assert.equal(who.server, b.url);
  });
});

describe('2. -v is the version only as the sole argument', () => {
  it('after a command it is an unknown option: exit 2, and the command does not run', async () => {
    // Logged in in-process; the runs that bin/osmo might answer early go through it, at once.
    const { dir } = await twoLogins();
    a.issuePat('user@example.com', 'keep-me');
    a.resetCounts();
    const runs = await Promise.all([['token', 'delete', 'keep-me', '-v'], ['whoami', '-v'], ['token', 'list', '--version']].map((args) => runOsmo(args, dir)));
    for (const res of runs) {
      assertCleanFailure(res, { code: 2, message: /^unknown option '(?:-v|--version)'$/ });
      assert.equal(res.stdout, '');
    }
    assert.equal(a.count(), 0, 'nothing sent');
  });

  it('an option\'s value is never a flag: -d "-v" is a description', async () => {
    const { osmo } = await twoLogins();
    a.resetCounts();
    const res = ok(await osmo(['token', 'set', 'dash-v', '-d', '-v']));
    assert.match(res.stdout, /^Access token: /);
    const create = a.requests.find((r) => r.method === 'POST' && r.path === '/api/auth/access_token/dash-v');
    assert.equal(new URLSearchParams(create?.query).get('description'), '-v');
  });

  it('osmo -v, osmo --version and osmo version print the version; --debug works anywhere', async () => {
    const { dir } = await twoLogins();
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    // Five processes that change nothing (the logins' JWTs are fresh): at once.
    const [v, long, word, before, after] = await Promise.all([['-v'], ['--version'], ['version'], ['--debug', 'token', 'list'], ['token', 'list', '--debug']].map((args) => runOsmo(args, dir)));
    for (const res of [v!, long!, word!]) assert.equal(ok(res).stdout, `${version}\n`);
    for (const res of [before!, after!]) assert.match(ok(res).stderr, /\[debug\] > GET /);
  });
});

describe('3. a refused JWT that renewal could not replace is removed at once', () => {
  it('status exits 2, the JWT is gone from the store, the PAT stays, and print-token and whoami fail as other commands do', async () => {
    const { osmo, dir } = newUser();
    await tokenLogin(a, osmo, 'user@example.com', 'doomed');
    ok(await osmo(['token', 'delete', 'doomed']));
    a.rotateSigningKey();
    const status = await osmo(['status']);
    assert.equal(status.code, 2, status.stderr);
    assert.match(status.stdout, /Status: +refused: /);
    assert.doesNotMatch(status.stdout, /JWT expires/, 'the refused JWT is not shown as one that lives on');
    const stored = credentials(dir).accounts[a.url]!;
    assert.equal(stored.jwt, undefined, 'the refused JWT is gone');
    assert.ok(stored.pat, 'the PAT stays');
    const list = await osmo(['token', 'list']);
    assertCleanFailure(list, { code: 2, message: /^Access Token is invalid$/ });
    const printed = await osmo(['print-token']);
    assertCleanFailure(printed, { code: 2, message: /^Access Token is invalid$/ });
    assert.equal(printed.stdout, '');
    assert.equal(printed.stderr, list.stderr, 'the same message as other commands');
    assertCleanFailure(await osmo(['whoami']), { code: 2, message: /^Access Token is invalid$/ });
  });

  it('a command that meets the refusal removes the JWT too', async () => {
    const { osmo, dir } = newUser();
    await tokenLogin(a, osmo, 'user@example.com', 'doomed-2');
    ok(await osmo(['token', 'delete', 'doomed-2']));
    a.rotateSigningKey();
    assertCleanFailure(await osmo(['token', 'list']), { code: 2, message: /^Access Token is invalid$/ });
    assert.equal(credentials(dir).accounts[a.url]!.jwt, undefined);
    a.resetCounts();
    assertCleanFailure(await osmo(['print-token']), { code: 2, message: /^Access Token is invalid$/ });
    assert.equal(a.count(EXCHANGE), 1, 'print-token tried to renew instead of printing the refused JWT');
  });
});

describe('4. what `osmo token set` printed can be logged in with', () => {
  async function printedToken(note: boolean): Promise<string> {
    const { osmo } = await twoLogins();
    const res = ok(await osmo(['token', 'set', `printed-${Math.random().toString(36).slice(2, 8)}`]));
    return note ? `${res.stderr}${res.stdout}` : res.stdout;
  }

  for (const note of [false, true]) {
    it(`--token-file, --token-stdin and a pipe accept it${note ? ' with its Note: line' : ''}`, async () => {
      const text = await printedToken(note);
      assert.match(text, /Access token: /);
      const { osmo } = newUser();
      const logins = [
        await osmo(['login', a.url, '--token-file', secretFile(text)]),
        await osmo(['login', a.url, '--token-stdin'], { input: text }),
        await osmo(['login', a.url], { input: text }),
      ];
      for (const res of logins) {
        ok(res);
        assert.match(res.stderr, /^Note: read the token from `osmo token set` output; `osmo token set NAME --output-file FILE` writes the token alone$/m);
      }
    });
  }

  it('a refused token is described (length, lines, inner spaces, a JWT), never answered with "create a new token"', async () => {
    const { osmo } = await twoLogins();
    const jwt = ok(await osmo(['print-token'])).stdout.trim();
    const fresh = newUser();
    const cases: Array<[string, RegExp]> = [
      ['osmo_abc\nosmo_def\n', /^Access Token is invalid: --token-file \S+ held 17 characters, and it has 2 lines$/],
      ['osmo abc def', /^Access Token is invalid: --token-file \S+ held 12 characters, and it has spaces inside$/],
      [jwt, /^Access Token is invalid: --token-file \S+ held \d+ characters, and it is a JWT \(what `osmo print-token` prints\), not a personal access token$/],
      ['osmo_not_a_token', /^Access Token is invalid \(--token-file \S+ held 16 characters\)$/],
    ];
    for (const [text, message] of cases) {
      const res = await fresh.osmo(['login', a.url, '--token-file', secretFile(text)]);
      assertCleanFailure(res, { code: 2, message });
      assert.doesNotMatch(res.stderr, /create a new token/);
      assert.doesNotMatch(res.stderr, /osmo_abc|osmo_def|abc def|eyJ/, 'the token itself is never shown');
    }
  });
});

/** A plain web server as `python3 -m http.server` is: a directory listing for GET, 501 for POST. */
async function plainWebServer(): Promise<{ url: string; close: () => Promise<void>; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    const html = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/html;charset=utf-8', server: 'SimpleHTTP/0.6 Python/3.12' }).end(body);
    };
    if (req.method === 'GET') html(404, '<!DOCTYPE HTML><html><body><h1>Error response</h1><p>Error code: 404</p></body></html>');
    else html(501, `<!DOCTYPE HTML><html><body><h1>Error response</h1><p>Error code: 501</p><p>Message: Unsupported method ('${req.method}').</p></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('5. every login method recognises a server that is not OSMO', () => {
  it('a web server answering 501 to the exchange: "does not look like an OSMO service", exit 2, for token, dev and code logins', async () => {
    const web = await plainWebServer();
    try {
      const { osmo, dir } = newUser();
      const logins = [
        ['login', web.url, '--token-file', secretFile('osmo_whatever')],
        ['login', web.url, '--method', 'dev', '--username', 'alice'],
        ['login', web.url, '--method', 'code'],
      ];
      for (const args of logins) {
        const res = await osmo(args);
        assertCleanFailure(res, { code: 2, message: new RegExp(`^${web.url} does not look like an OSMO service: `) });
        assert.doesNotMatch(res.stderr, /OSMO administrators|create a new token/);
      }
      assert.ok(web.hits.includes('GET /api/auth/login'), 'the discovery endpoint was probed');
      assert.equal(existsSync(join(dir, 'config.json')), false, 'nothing stored');
    } finally {
      await web.close();
    }
  });

  it('a URL with a path, where a gateway answers "Jwt is missing": OSMO is addressed by its origin, did you mean it?', async () => {
    const { osmo } = newUser();
    a.fault({ route: 'POST /ui/tokens/api/auth/jwt/access_token', status: 401, body: 'Jwt is missing', headers: { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' } });
    a.fault({ route: 'GET /ui/tokens/api/auth/login', status: 401, body: 'Jwt is missing', headers: { 'content-type': 'text/plain' } });
    const res = await osmo(['login', `${a.url}/ui/tokens`, '--token-file', secretFile('osmo_whatever')]);
    assertCleanFailure(res, { code: 2, message: new RegExp(`^${a.url}/ui/tokens does not look like an OSMO service: GET /api/auth/login answered 401$`) });
    assert.match(res.stderr, new RegExp(`\\n {2}an OSMO service is addressed by its origin, without a path: did you mean ${a.url}\\?\\n$`));
  });
});

describe('6. hints never point at what cannot work', () => {
  it('not logged in: the logins that need no token, and the web UI for a token', async () => {
    const { osmo } = newUser();
    const res = await osmo(['token', 'list']);
    assertCleanFailure(res, { code: 2, message: /^you are not logged in$/ });
    assert.match(res.stderr, /`osmo login URL` \(a browser; `--method code` for a device code\)/);
    assert.match(res.stderr, /OSMO web UI/);
  });

  it('a token the service refused gets no rotate advice, and a way in that needs no token', async () => {
    const { osmo } = newUser();
    // A PAT that expires in 3 days: the login records it, and warns.
    const pat = a.issuePat('user@example.com', 'soon-gone', { expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10) });
    await withJwtLifetime(a, 20, async () => {
      const login = ok(await osmo(['login', a.url, '--token-file', secretFile(pat)]));
      assert.match(login.stderr, /rotate it with `osmo token rotate soon-gone`/);
      ok(await osmo(['token', 'delete', 'soon-gone']));
      const res = await osmo(['token', 'list']);
      assertCleanFailure(res, { code: 2, message: /^Access Token is invalid$/ });
      assert.doesNotMatch(res.stderr, /rotate|expires on/);
      assert.match(res.stderr, new RegExp(`\\n {2}log in without a token \\(\`osmo login ${a.url}\` opens a browser; add \`--method code\` for a device code\\)`));
    });
  });
});

describe('7. logging out of the current login with one other left makes that one current', () => {
  it('says so, and the next command uses it', async () => {
    const { osmo } = await twoLogins();
    const res = ok(await osmo(['logout']));
    assert.equal(res.stdout, `Successfully logged out of ${a.url}.\nSwitched to ${b.url} (token login as user@example.com)\n`);
    assert.equal(JSON.parse(ok(await osmo(['whoami', '-t', 'json'])).stdout).server, b.url);
  });

  it('with several left, lists them and makes none current', async () => {
    const { osmo, dir } = await twoLogins();
    const other = await startOsmoServer();
    try {
      await tokenLogin(other, osmo, 'user@example.com', 'third');
      const res = ok(await osmo(['logout']));
      assert.doesNotMatch(res.stdout, /Switched/);
      assert.match(res.stderr, /you are still logged in to 2 other servers/);
      assert.equal(config(dir).current, other.url);
    } finally {
      await other.close();
    }
  });
});

describe('8. a Secret Service without a usable default collection counts as none', () => {
  it('login uses the file store with the usual note', async (t: TestContext) => {
    try {
      loadKeyringBinding();
    } catch (err) {
      return skipOrFail(t, `no keychain binding: ${(err as Error).message}`);
    }
    const started = await startSecretService({ emptyPassword: true });
    if ('unavailable' in started) return skipOrFail(t, started.unavailable);
    try {
      const { osmo, dir } = newProcessUser({ ...started.env, OSMO_CREDENTIAL_STORE: undefined });
      const pat = a.issuePat('user@example.com', 'no-collection');
      const res = ok(await osmo(['login', a.url, '--token-file', secretFile(pat)]));
      assert.match(res.stderr, new RegExp(`^Note: the keychain is unavailable: [^\\n]+; credentials are stored in ${join(dir, 'credentials.json')} \\(readable only by you\\)$`, 'm'));
      assert.ok(credentials(dir).accounts[a.url]?.pat);
      ok(await osmo(['token', 'list']));
    } finally {
      await started.stop();
    }
  });
});

describe('9. logout always works with a damaged or loose credentials.json', () => {
  for (const [what, spoil] of [
    ['damaged', (path: string) => writeFileSync(path, '{"version": 1, "accounts": ')],
    ['group-readable', (path: string) => chmodSync(path, 0o640)],
  ] as const) {
    for (const all of [false, true]) {
      it(`${what}, logout${all ? ' --all' : ''}: reported, the file removed, exit 0`, async () => {
        const { osmo, dir } = await twoLogins();
        const path = join(dir, 'credentials.json');
        spoil(path);
        const res = ok(await osmo(all ? ['logout', '--all'] : ['logout']));
        assert.match(res.stderr, new RegExp(`^Warning: ${path} [^\\n]*; removed it, so every login that kept its secrets there must log in again$`, 'm'));
        assert.match(res.stdout, new RegExp(`Successfully logged out of ${a.url}\\.`));
        assert.equal(existsSync(path), false, 'the file is gone');
        assert.equal(config(dir).servers[a.url], undefined);
      });
    }
  }
});

describe('10. OSMO_HTTP_TIMEOUT beyond a timer is refused with the allowed range', () => {
  it('3000000: exit 2 before any request', async () => {
    const { osmo } = await twoLogins();
    a.resetCounts();
    const res = await osmo(['token', 'list'], { env: { OSMO_HTTP_TIMEOUT: '3000000' } });
    assertCleanFailure(res, { code: 2, message: /^OSMO_HTTP_TIMEOUT must be a number of seconds from 0\.001 to 2147483 \(about 24 days\), not "3000000"$/ });
    assert.equal(a.count(), 0);
    ok(await osmo(['token', 'list'], { env: { OSMO_HTTP_TIMEOUT: '2147483' } }));
  });
});
