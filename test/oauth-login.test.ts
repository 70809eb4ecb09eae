import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIST, newUser as newProcessUser, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { baseEnv, OSMO_BIN, tempDir, withoutSpaces, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { until } from './helpers/wait.js';
import { havePty, runInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';

// In-process (test/helpers/in-process.ts), a JWT aged by the clock and osmo's
// waits (the device polling interval, OSMO_LOGIN_TIMEOUT) skipped on it;
// through bin/osmo: the system opener (found on the PATH osmo is given, which
// in-process is the runner's), Ctrl-C and the terminal case.
const clock = new TestClock();
const server = useServer({ now: clock.now });
const newUser = (env: Record<string, string | undefined> = {}): ReturnType<typeof inProcessUser> => inProcessUser(clock, env);
const BROWSER = withoutSpaces(fileURLToPath(new URL('./helpers/browser-follow.mjs', import.meta.url)));

type Osmo = ReturnType<typeof inProcessUser>['osmo'];

interface Stored {
  config: { current?: string; servers: Record<string, Record<string, unknown>> };
  secrets: { refreshToken?: string; jwt?: string; jwtExpiresAt?: number };
}

function stored(dir: string): Stored {
  const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as Stored['config'];
  const file = JSON.parse(readFileSync(`${dir}/credentials.json`, 'utf8')) as { accounts: Record<string, Stored['secrets']> };
  return { config, secrets: file.accounts[server().url] ?? {} };
}

/** Nothing but the lock directory may be left behind by a failed login. */
function assertNothingStored(dir: string): void {
  assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.lock')), []);
}

function assertNoSecretPrinted(res: RunResult, secrets: Stored['secrets'], extra: string[] = []): void {
  for (const secret of [secrets.refreshToken, secrets.jwt, ...extra]) {
    if (secret) assert.ok(!res.stdout.includes(secret) && !res.stderr.includes(secret), 'a secret was printed');
  }
}

/** A PKCE login whose "browser" follows the redirect; the page osmo answers with is returned too. */
async function pkceLogin(osmo: Osmo, args: string[] = [], env: Record<string, string> = {}, pageFile = `${tempDir('osmo-page-')}/page.txt`): Promise<RunResult & { page: string }> {
  const res = await osmo(['login', server().url, ...args], { env: { BROWSER, BROWSER_PAGE_FILE: pageFile, ...env } });
  // osmo may exit before the browser has written down the page it got.
  for (let i = 0; i < 40 && !existsSync(pageFile); i++) await sleep(50);
  return { ...res, page: existsSync(pageFile) ? readFileSync(pageFile, 'utf8') : '' };
}

/**
 * `osmo login URL ARGS` in-process up to the device code it shows; then
 * `pendingPolls` polls are answered authorization_pending, `act` approves,
 * denies or expires the code, and every further wait is skipped on the
 * clock. Returns the run, the code and the waits osmo made (ms, in order).
 */
async function deviceLogin(
  osmo: Osmo,
  act: (userCode: string) => void,
  opts: { args?: string[]; env?: Record<string, string>; pendingPolls?: number } = {},
): Promise<RunResult & { userCode: string; waits: number[] }> {
  const earlier = new Set(server().oauth.pendingUserCodes());
  const run = osmo(['login', server().url, ...(opts.args ?? ['--method', 'code'])], { env: opts.env });
  let userCode: string | undefined;
  await until('a device code', () => (userCode = server().oauth.pendingUserCodes().find((c) => !earlier.has(c))) !== undefined, { child: run });
  const waits: number[] = [];
  for (let i = 0; i < (opts.pendingPolls ?? 0); i++) {
    const polls = server().count('POST /oauth/token');
    const ms = await clock.waiting();
    waits.push(ms);
    clock.advance(ms);
    await until('the next poll', () => server().count('POST /oauth/token') > polls, { child: run });
  }
  act(userCode!);
  waits.push(...(await clock.fastForward(run)));
  return { ...(await run), userCode: userCode!, waits };
}

/**
 * Starts `login`, waits until osmo waits for the browser (and, with
 * `pageFile`, until the browser has got its page), checks that osmo waits
 * `timeoutMs`, then lets that time pass on the clock.
 */
async function pastLoginTimeout<T extends RunResult>(login: Promise<T>, timeoutMs: number, pageFile?: string): Promise<T> {
  const waited = await Promise.race([clock.waiting(), login.then((res) => assert.fail(`osmo ended before waiting for the browser: ${res.stderr}`))]);
  assert.equal(waited, timeoutMs);
  if (pageFile) await until('the browser to get its page', () => existsSync(pageFile), { child: login });
  clock.advance(timeoutMs);
  return login;
}

/**
 * Logs in with `login` while access tokens live 31 s (fresh for about one
 * second, as the client renews 30 s early), then checks that `token list`
 * works, that the first command after expiry refreshes exactly once with a
 * rotated refresh token, and that the next one reuses the new access token.
 */
async function assertLoginThenRefresh(osmo: Osmo, dir: string, login: () => Promise<RunResult>): Promise<RunResult> {
  const res = await withJwtLifetime(server(), 31, login);
  assert.equal(res.code, 0, res.stderr);
  const first = stored(dir).secrets;
  assertNoSecretPrinted(res, first);
  clock.advance(1500);

  const refreshes = server().oauth.count('refresh_token');
  const list = await osmo(['token', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(server().oauth.count('refresh_token'), refreshes + 1);
  const second = stored(dir).secrets;
  assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken, 'the rotated refresh token is stored');
  assert.notEqual(second.jwt, first.jwt);
  assertNoSecretPrinted(list, second, [first.refreshToken ?? '']);

  const again = await osmo(['token', 'list']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(server().oauth.count('refresh_token'), refreshes + 1);
  return res;
}

describe('osmo login --method pkce (the default)', () => {
  it('opens BROWSER, takes the code on the loopback callback, and refreshes later', async () => {
    const { osmo, dir } = newUser();
    let page = '';
    const res = await assertLoginThenRefresh(osmo, dir, async () => {
      const login = await pkceLogin(osmo, ['--debug']);
      page = login.page;
      return login;
    });
    assert.equal(res.stdout, `Logging in to ${server().url}\nSuccessfully logged in. Welcome User.\n`);
    const shown = /Open this URL in your browser: (\S+)/.exec(res.stderr)?.[1];
    assert.ok(shown, res.stderr);
    const authorize = new URL(shown);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${server().url}/oauth/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), 'osmo-browser');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    // The official client's form, which deployments register with their identity provider.
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+$/);
    for (const param of ['state', 'nonce', 'code_challenge']) assert.ok((authorize.searchParams.get(param) ?? '').length >= 32, param);
    assert.doesNotMatch(res.stderr, /code=|refresh_token|Bearer ey/);
    assert.match(page, /^200\n.*logged in/);

    const { config } = stored(dir);
    assert.deepEqual(config.servers[server().url], {
      method: 'pkce', username: 'user@example.com', clientId: 'osmo-browser', tokenEndpoint: `${server().url}/oauth/token`, store: 'file',
    });
  });

  it('honours --callback-port and --client-id', async () => {
    const { osmo, dir } = newUser();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const res = await pkceLogin(osmo, ['--callback-port', String(port), '--client-id', 'my-client']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`redirect_uri=http%3A%2F%2Flocalhost%3A${port}&`));
    assert.match(res.stderr, /client_id=my-client&/);
    assert.equal(stored(dir).config.servers[server().url]?.clientId, 'my-client');
  });

  it('callbacks with a wrong or missing state get a 400 and are ignored: the real one still logs in', async () => {
    const { osmo, dir } = newUser();
    const strayFile = `${tempDir('osmo-stray-')}/statuses.json`;
    const before = server().oauth.count('authorization_code');
    const res = await pkceLogin(osmo, [], { BROWSER_STRAY_FILE: strayFile });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(readFileSync(strayFile, 'utf8')), [400, 400]);
    assert.match(res.page, /^200\n.*logged in/);
    assert.equal(server().oauth.count('authorization_code'), before + 1, 'only the real code is exchanged');
    assert.equal(stored(dir).config.servers[server().url]?.method, 'pkce');
  });

  it('a provider answering with the wrong state never logs in: the code is not exchanged, nothing is stored', async () => {
    const { osmo, dir } = newUser();
    server().oauth.tamper({ wrongState: true });
    try {
      const before = server().oauth.count('authorization_code');
      const pageFile = `${tempDir('osmo-page-')}/page.txt`;
      const res = await pastLoginTimeout(pkceLogin(osmo, [], { OSMO_LOGIN_TIMEOUT: '2' }, pageFile), 2000, pageFile);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /^Error: no answer from the browser within 2 s/m);
      assert.match(res.page, /^400\n.*wrong or missing state/);
      assert.equal(server().oauth.count('authorization_code'), before, 'the code is never exchanged');
      assertNothingStored(dir);
    } finally {
      server().oauth.tamper({});
    }
  });

  it('after the real callback osmo ends at once, even with a connection held open to it', async () => {
    const { osmo, dir } = newUser();
    const started = Date.now();
    const res = await pkceLogin(osmo, [], { BROWSER_HOLD: '1' });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(Date.now() - started < 8_000, `osmo took ${Date.now() - started} ms`);
    assert.equal(stored(dir).config.servers[server().url]?.method, 'pkce');
  });

  it('the browser is given a private page, not the sign-in URL, on its command line; the page goes after the login', async () => {
    const { osmo } = newUser();
    const argvFile = `${tempDir('osmo-argv-')}/argv.json`;
    const res = await pkceLogin(osmo, [], { BROWSER_ARGV_FILE: argvFile });
    assert.equal(res.code, 0, res.stderr);
    const seen = JSON.parse(readFileSync(argvFile, 'utf8')) as { argv: string[]; fileMode: number; dirMode: number; fileUid: number; dirUid: number };
    const state = new URL(/Open this URL in your browser: (\S+)/.exec(res.stderr)![1]!).searchParams.get('state')!;
    assert.equal(seen.argv.length, 1, JSON.stringify(seen.argv));
    for (const secret of [state, 'state=', 'code_challenge', 'nonce']) assert.ok(!seen.argv[0]!.includes(secret), `the command line shows ${secret}: ${seen.argv[0]}`);
    // What another local user could reach: nothing (the page 0600, its directory 0700, both this user's).
    assert.deepEqual([seen.fileMode, seen.dirMode, seen.fileUid, seen.dirUid], [0o600, 0o700, process.getuid!(), process.getuid!()]);
    assert.equal(existsSync(seen.argv[0]!), false, 'removed after the login');
    assert.equal(existsSync(dirname(seen.argv[0]!)), false);
  });

  it('the browser gets none of osmo\'s variables (OSMO_TOKEN and the like)', async () => {
    const { osmo } = newUser();
    const envFile = `${tempDir('osmo-env-')}/env.json`;
    const res = await pkceLogin(osmo, [], { BROWSER_ENV_FILE: envFile, OSMO_TOKEN: 'osmo_secret_in_env', OSMO_LOGIN_PASSWORD: 'pw' });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(readFileSync(envFile, 'utf8')), []);
  });

  it('through the system opener (xdg-open) too, the browser gets none of osmo\'s variables', async () => {
    const { osmo } = newProcessUser();
    const bin = tempDir('osmo-bin-');
    const envFile = `${tempDir('osmo-env-')}/env.json`;
    writeFileSync(`${bin}/xdg-open`, `#!/bin/sh\nexec "${process.execPath}" "${BROWSER}" "$@"\n`, { mode: 0o755 });
    const res = await osmo(['login', server().url, '--method', 'pkce'], {
      env: { BROWSER: undefined, DISPLAY: ':99', SSH_CONNECTION: undefined, SSH_CLIENT: undefined, PATH: `${bin}:${process.env.PATH}`, BROWSER_ENV_FILE: envFile, OSMO_TOKEN: 'osmo_secret_in_env' },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(readFileSync(envFile, 'utf8')), []);
  });

  it('a wrong nonce in the ID token exits 2 and stores nothing', async () => {
    const { osmo, dir } = newUser();
    server().oauth.tamper({ wrongNonce: true });
    try {
      const res = await pkceLogin(osmo);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /^Error: nonce mismatch/m);
      assertNothingStored(dir);
    } finally {
      server().oauth.tamper({});
    }
  });

  it('gives up after OSMO_LOGIN_TIMEOUT with a hint to use --method code', async () => {
    const { osmo, dir } = newUser();
    const res = await pastLoginTimeout(osmo(['login', server().url], { env: { BROWSER: 'true', OSMO_LOGIN_TIMEOUT: '1' } }), 1000);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /no answer from the browser within 1 s\n.*--method code/);
    assertNothingStored(dir);
  });
});

describe('osmo login --method code', () => {
  it('shows the code, polls until it is approved, and refreshes later', async () => {
    const { osmo, dir } = newUser();
    let userCode = '';
    let waits: number[] = [];
    const res = await assertLoginThenRefresh(osmo, dir, async () => {
      const login = await deviceLogin(osmo, (code) => server().oauth.approveDevice(code, 'user@example.com'), { pendingPolls: 1 });
      ({ userCode, waits } = login);
      return login;
    });
    // The provider's interval (1 s) before each poll, the pending one included.
    assert.deepEqual(waits, [1000, 1000]);
    assert.match(res.stdout, /Successfully logged in\. Welcome User\.\n$/);
    assert.ok(res.stderr.includes(`open ${server().url}/oauth/device/verify in a browser and enter the code ${userCode}`), res.stderr);
    assert.ok(res.stderr.includes(`${server().url}/oauth/device/verify?user_code=${userCode}`), res.stderr);
    assert.equal(stored(dir).config.servers[server().url]?.clientId, 'osmo-device');
  });

  it('a denied code exits 2 and stores nothing, after honouring slow_down', async () => {
    const { osmo, dir } = newUser();
    server().oauth.slowDownNext(1);
    const res = await deviceLogin(osmo, (code) => server().oauth.denyDevice(code));
    assert.equal(res.code, 2, res.stderr);
    assert.deepEqual(res.waits, [1000, 6000], 'slow_down adds 5 s to the interval');
    assert.match(res.stderr, /^Error: the login with code \S+ was denied/m);
    assertNothingStored(dir);
  });

  it('an expired code exits 2 and stores nothing', async () => {
    const { osmo, dir } = newUser();
    const res = await deviceLogin(osmo, (code) => server().oauth.expireDevice(code));
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^Error: the code \S+ expired before it was approved/m);
    assertNothingStored(dir);
  });

  it('a code nobody approves expires after its lifetime (600 s), polled once a minute however long the provider asks to wait', async () => {
    const { osmo, dir } = newUser();
    server().oauth.setDeviceInterval(3600);
    try {
      const res = await deviceLogin(osmo, () => {});
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /^Error: the code \S+ expired before it was approved\n {2}.*approve the code within 10 minutes/m);
      assert.deepEqual(res.waits, Array<number>(10).fill(60_000));
      assertNothingStored(dir);
    } finally {
      server().oauth.setDeviceInterval(1);
    }
  });

  it('Ctrl-C while waiting ends osmo by SIGINT (exit status 130) and stores nothing', async () => {
    const dir = tempDir();
    const earlier = new Set(server().oauth.pendingUserCodes());
    const child = spawn(process.execPath, [OSMO_BIN, 'login', server().url, '--method', 'code'], { env: baseEnv(dir), stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 200 && !server().oauth.pendingUserCodes().some((c) => !earlier.has(c)); i++) await sleep(50);
    child.kill('SIGINT');
    assert.equal(await exited, 'SIGINT');
    assertNothingStored(dir);
  });

  it('refuses an http:// device endpoint on another host before any request', async () => {
    const { osmo, dir } = newUser();
    const before = server().count();
    const res = await osmo(['login', server().url, '--method', 'code', '--device-endpoint', 'http://example.com/device']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^Error: refusing the --device-endpoint http:\/\/example\.com\/device: OAuth endpoints must use https:\/\//m);
    assert.equal(server().count(), before);
    assertNothingStored(dir);
  });
});

describe('osmo login without --method and without a terminal', () => {
  it('fails at once with what to pass instead of waiting for a browser', async () => {
    const { osmo, dir } = newUser();
    server().resetCounts();
    const started = Date.now();
    const res = await osmo(['login', server().url]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Error: no --method given and no terminal to finish a browser login\n {2}in CI pass --token-file FILE or pipe the token to --token-stdin; on a machine without a browser use --method code\n$/);
    assert.ok(Date.now() - started < 5000);
    assert.equal(server().count(), 0);
    assertNothingStored(dir);
  });
});

describe('osmo login --method password', () => {
  it('reads the password from a file, and refreshes later', async () => {
    const { osmo, dir } = newUser();
    server().oauth.setPassword('svc-robot@example.com', 'correct horse');
    const file = `${tempDir('osmo-pw-')}/password`;
    writeFileSync(file, 'correct horse\n', { mode: 0o600 });
    const res = await assertLoginThenRefresh(osmo, dir, () =>
      osmo(['login', server().url, '--method', 'password', '--username', 'svc-robot@example.com', '--password-file', file]),
    );
    assert.equal(res.stdout, `Logging in to ${server().url}\nSuccessfully logged in. Welcome Svc Robot.\n`);
    assert.doesNotMatch(res.stderr, /correct horse|Warning/);
    const { config } = stored(dir);
    assert.equal(config.servers[server().url]?.method, 'password');
    assert.equal(config.servers[server().url]?.username, 'svc-robot@example.com');
    assert.doesNotMatch(readFileSync(`${dir}/credentials.json`, 'utf8') + JSON.stringify(config), /correct horse/);
    // Like OSMO's Python client, API calls carry the provider's ID token (aud = the client id).
    const bearer = /^Bearer (\S+)$/.exec(String(server().requests.filter((r) => r.path === '/api/auth/access_token').at(-1)?.headers.authorization))?.[1];
    const claims = JSON.parse(Buffer.from(bearer!.split('.')[1]!, 'base64url').toString()) as { aud: string; iss: string };
    assert.equal(claims.aud, config.servers[server().url]?.clientId);
    assert.match(claims.iss, /\/oauth$/);
  });

  it('a bad password exits 2 and stores nothing; a readable file is warned about', async () => {
    const { osmo, dir } = newUser();
    server().oauth.setPassword('svc@example.com', 'right');
    const file = `${tempDir('osmo-pw-')}/password`;
    writeFileSync(file, 'wrong\n', { mode: 0o644 });
    const res = await osmo(['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password-file', file]);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^Warning: .*readable by other users \(mode 644\)/m);
    assert.match(res.stderr, /^Error: the identity provider refused the user name or password of svc@example\.com \(invalid_grant: Invalid user credentials\)/m);
    assertNothingStored(dir);
  });

  it('without a password or a terminal exits 2 naming the flags, before any request', async () => {
    const { osmo, dir } = newUser();
    const before = server().count();
    const res = await osmo(['login', server().url, '--method', 'password', '--username', 'svc@example.com']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /--password-file/);
    assert.equal(server().count(), before);
    assertNothingStored(dir);
  });

  it('a refresh token the provider no longer accepts says to log in again', async () => {
    const { osmo, dir } = newUser();
    server().oauth.setPassword('svc@example.com', 'right');
    await withJwtLifetime(server(), 31, async () => {
      const login = await osmo(['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password', 'right']);
      assert.equal(login.code, 0, login.stderr);
    });
    // Someone else used (and so rotated away) the stored refresh token.
    const { refreshToken } = stored(dir).secrets;
    const burn = await fetch(`${server().url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken ?? '', client_id: 'osmo-device' }) });
    assert.equal(burn.status, 200);
    clock.advance(1500);
    const listsBefore = server().count(LIST);
    const res = await osmo(['token', 'list']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^Error: the password login for http:\S+ has expired or was revoked \(invalid_grant: Token is not active\)\n {2}run `osmo login http:\S+ --method password --username svc@example\.com --password-file FILE` again/m);
    assert.equal(server().count(LIST), listsBefore);
  });
});

describe('where no browser can be opened', () => {
  it('without --method, a browser that fails to start falls back to a device code at once', async () => {
    const { osmo, dir } = newUser();
    const res = await deviceLogin(osmo, (code) => server().oauth.approveDevice(code, 'user@example.com'), { args: [], env: { BROWSER: 'false' } });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.waits, [1000]);
    assert.match(res.stderr, /^No browser can be opened here \(the browser "false" from BROWSER failed \(exit code 1\)\); logging in with a device code instead \(--method code\)\.$/m);
    assert.match(res.stdout, /Successfully logged in\. Welcome User\.\n$/);
    assert.equal(stored(dir).config.servers[server().url]?.method, 'code');
  });

  it('without --method and without a device-code login on the service, it fails at once naming --method code and --method token', async () => {
    const { osmo, dir } = newUser();
    const info = { browser_endpoint: `${server().url}/oauth/authorize`, browser_client_id: 'osmo-browser', token_endpoint: `${server().url}/oauth/token` };
    server().fault({ route: 'GET /api/auth/login', status: 200, body: JSON.stringify(info) });
    const started = Date.now();
    const res = await osmo(['login', server().url], { env: { BROWSER: 'false' } });
    assert.ok(Date.now() - started < 10_000);
    assertCleanFailure(res, { code: 2, message: /^no browser can be opened here \(the browser "false" from BROWSER failed \(exit code 1\)\) and http:\S+ offers no device-code login$/, before: [/^Open this URL/, /^Waiting for the browser/] });
    assert.match(res.stderr, /\n {2}log in with --method token --token-file FILE, or with --method code --device-endpoint URL --client-id ID\n$/);
    assertNothingStored(dir);
  });

  it('does not fall back to a device endpoint it would then refuse (plain http:// to another host)', async () => {
    const { osmo, dir } = newUser();
    const info = {
      browser_endpoint: `${server().url}/oauth/authorize`,
      browser_client_id: 'osmo-browser',
      token_endpoint: `${server().url}/oauth/token`,
      device_endpoint: 'http://idp.example.com/oauth/device',
      device_client_id: 'osmo-device',
    };
    server().fault({ route: 'GET /api/auth/login', status: 200, body: JSON.stringify(info) });
    const res = await osmo(['login', server().url], { env: { BROWSER: 'false' } });
    assertCleanFailure(res, { code: 2, message: /^no browser can be opened here \(the browser "false" from BROWSER failed \(exit code 1\)\) and http:\S+ offers no device-code login$/, before: [/^Open this URL/, /^Waiting for the browser/] });
    assert.doesNotMatch(res.stderr, /logging in with a device code instead/);
    assertNothingStored(dir);
  });

  it('in an SSH session at a terminal, without --method, it says so and logs in with a device code', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const dir = tempDir();
    const env: Record<string, string> = { ...baseEnv(dir), TEST_NODE: process.execPath, TEST_OSMO: OSMO_BIN, SSH_CONNECTION: '10.0.0.1 51000 10.0.0.2 22' };
    delete env.BROWSER;
    const earlier = new Set(server().oauth.pendingUserCodes());
    const run = runInPty(`"$TEST_NODE" "$TEST_OSMO" login ${server().url}`, env);
    let code: string | undefined;
    for (let i = 0; i < 200 && !code; i++) {
      code = server().oauth.pendingUserCodes().find((c) => !earlier.has(c));
      if (!code) await sleep(50);
    }
    assert.ok(code, 'a device code was requested at once');
    server().oauth.approveDevice(code, 'user@example.com');
    const res = await run;
    assert.equal(res.code, 0, res.output);
    assert.match(res.output, /No browser can be opened here \(this is an SSH session\); logging in with a device code instead \(--method code\)\./);
    assert.doesNotMatch(res.output, /Open this URL in your browser/);
    assert.equal(stored(dir).config.servers[server().url]?.method, 'code');
  });

  it('with --method pkce in an SSH session it says at once that no browser was started, and keeps waiting', async () => {
    const { osmo, dir } = newUser();
    const res = await pastLoginTimeout(osmo(['login', server().url, '--method', 'pkce'], { env: { BROWSER: undefined, SSH_CONNECTION: '10.0.0.1 51000 10.0.0.2 22', OSMO_LOGIN_TIMEOUT: '1' } }), 1000);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^Open this URL in your browser: \S+\nNo browser was started: this is an SSH session\. The sign-in ends at http:\/\/localhost:(\d+), so open the URL in a browser that can reach this machine \(e\.g\. through `ssh -L \1:localhost:\1`\), or use --method code\.\nWaiting for the browser/);
    assert.match(res.stderr, /^Error: no answer from the browser within 1 s/m);
    assertNothingStored(dir);
  });

  it('refuses an OSMO_LOGIN_TIMEOUT beyond what a timer can wait, before any request', async () => {
    const { osmo, dir } = newUser();
    const before = server().count();
    const res = await osmo(['login', server().url, '--method', 'pkce'], { env: { BROWSER: 'true', OSMO_LOGIN_TIMEOUT: '1e9' } });
    assertCleanFailure(res, { code: 2, message: /^OSMO_LOGIN_TIMEOUT must be a number of seconds above 0 and at most 2147483 \(about 24 days\), not "1e9"$/ });
    assert.equal(server().count(), before);
    assertNothingStored(dir);
  });
});

describe('what the identity provider sends is kept within bounds', () => {
  it('a tiny device `interval` is raised to one poll a second', async () => {
    const { osmo } = newUser();
    server().oauth.setDeviceInterval(0.001);
    try {
      const res = await deviceLogin(osmo, (code) => server().oauth.approveDevice(code, 'user@example.com'), { pendingPolls: 2 });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(res.waits, [1000, 1000, 1000], 'one poll a second');
    } finally {
      server().oauth.setDeviceInterval(1);
    }
  });

  it('a refresh answer without an ID token is refused; the login keeps only the refresh token the provider rotated to', async () => {
    const { osmo, dir } = newUser();
    server().oauth.setPassword('svc@example.com', 'right');
    await withJwtLifetime(server(), 31, async () => {
      const login = await osmo(['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password-stdin'], { input: 'right\n' });
      assert.equal(login.code, 0, login.stderr);
    });
    clock.advance(1500);
    const stored = (): { refreshToken: string; jwt: string } => (JSON.parse(readFileSync(`${dir}/credentials.json`, 'utf8')) as { accounts: Record<string, { refreshToken: string; jwt: string }> }).accounts[server().url]!;
    const before = stored();
    const configBefore = readFileSync(`${dir}/config.json`, 'utf8');
    const listsBefore = server().count(LIST);
    server().oauth.tamper({ noIdTokenOnRefresh: true });
    try {
      const res = await osmo(['token', 'list']);
      assertCleanFailure(res, { code: 2, message: /^the identity provider did not return an ID token; log in again$/ });
      assert.match(res.stderr, /\n {2}run `osmo login http:\S+ --method password --username svc@example\.com --password-file FILE` again\n$/);
    } finally {
      server().oauth.tamper({});
    }
    assert.equal(server().count(LIST), listsBefore, 'no request with a token that is not a JWT');
    // The provider used up the old refresh token when it answered (rotation): the new one was
    // stored before the answer was refused, and nothing else changed.
    const after = stored();
    assert.equal(after.jwt, before.jwt);
    assert.equal(readFileSync(`${dir}/config.json`, 'utf8'), configBefore);
    assert.equal(server().oauth.refreshTokenActive(before.refreshToken), false);
    assert.equal(server().oauth.refreshTokenActive(after.refreshToken), true, 'the login is not lost');
    const again = await osmo(['token', 'list']);
    assert.equal(again.code, 0, again.stderr);
  });
});
