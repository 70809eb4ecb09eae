// `osmo login` the way people type it, coming from `gh auth login
// --with-token` and `docker login --password-stdin`: credential flags imply
// their method, a piped token is a token login, a credential given is never
// dropped, and each fact gets one line. Also: a URL that is not an OSMO
// service, a service out of developer mode, and a proxy that cannot be reached.
// In-process (test/helpers/in-process.ts), except through bin/osmo: the
// terminal case, a token piped with no flag, the keychain note (D-Bus is per
// process) and the proxies (end to end, as a shell hands them to osmo;
// test/proxy-in-process.test.ts has them in-process).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXCHANGE, LIST, futureDate, newUser as newProcessUser, useServer } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { hashTree, OSMO_BIN, baseEnv, tempDir, type RunResult } from './helpers/cli.js';
import { closedPort } from './helpers/fault-servers.js';
import { havePty, runInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';
import { startOsmoServer } from './server/osmo-server.js';

const server = useServer();
const newUser = (env: Record<string, string | undefined> = {}): ReturnType<typeof inProcessUser> => inProcessUser(undefined, env);

function secretFile(value: string): string {
  const file = `${tempDir('osmo-secret-')}/secret`;
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return file;
}

function storedServer(dir: string, url = server().url): Record<string, unknown> | undefined {
  return (JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as { servers: Record<string, Record<string, unknown>> }).servers[url];
}

/** Nothing but the lock directory may be left behind by a failed login. */
function assertNothingStored(dir: string): void {
  assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.lock')), []);
}

const warnings = (res: RunResult): string[] => res.stderr.split('\n').filter((l) => /^Warning/i.test(l));

describe('credential flags imply the method', () => {
  it('--token-file alone is a token login, without a terminal too', async () => {
    const { osmo, dir } = newUser();
    const res = await osmo(['login', server().url, '--token-file', secretFile(server().issuePat('user@example.com', 'file-alone'))]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Logging in to ${server().url}\nSuccessfully logged in. Welcome user@example.com.\n`);
    assert.equal(res.stderr, '');
    assert.equal(storedServer(dir)?.method, 'token');
  });

  it('--token-file alone at a terminal is a token login, not a browser login', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const dir = tempDir();
    const file = secretFile(server().issuePat('user@example.com', 'file-in-terminal'));
    const res = await runInPty(`"${process.execPath}" "${OSMO_BIN}" login ${server().url} --token-file ${file}`, { ...baseEnv(dir), BROWSER: 'false' });
    assert.equal(res.code, 0, res.output);
    assert.doesNotMatch(res.output, /browser/i);
    assert.equal(storedServer(dir)?.method, 'token');
  });

  it('--token-stdin alone reads the token from standard input', async () => {
    const { osmo, dir } = newUser();
    const res = await osmo(['login', server().url, '--token-stdin'], { input: `${server().issuePat('user@example.com', 'stdin-alone')}\n` });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(storedServer(dir)?.method, 'token');
  });

  it('a token piped with no flag at all is a token login', async () => {
    const { osmo, dir } = newProcessUser();
    const res = await osmo(['login', server().url], { input: `${server().issuePat('user@example.com', 'piped')}\n` });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(storedServer(dir)?.method, 'token');
  });

  it('--token alone works, with one warning naming the safer flags', async () => {
    const { osmo } = newUser();
    const res = await osmo(['login', server().url, '--token', server().issuePat('user@example.com', 'argv')]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(warnings(res), ['Warning: the token given with --token is visible to other users in `ps` and is kept in your shell history; use --token-file FILE or --token-stdin']);
  });

  it('--password-stdin and --password-file with --username are a password login; --password warns once', async () => {
    server().oauth.setPassword('svc-forms@example.com', 'hunter2');
    for (const [args, input] of [[['--password-stdin'], 'hunter2\n'], [['--password-file', secretFile('hunter2')], ''], [['--password', 'hunter2'], '']] as const) {
      const { osmo, dir } = newUser();
      const res = await osmo(['login', server().url, '--username', 'svc-forms@example.com', ...args], { input });
      assert.equal(res.code, 0, `${args[0]}: ${res.stderr}`);
      assert.equal(storedServer(dir)?.method, 'password');
      assert.deepEqual(warnings(res), args[0] === '--password' ? ['Warning: the password given with --password is visible to other users in `ps` and is kept in your shell history; use --password-file FILE or --password-stdin'] : []);
      assert.doesNotMatch(res.stdout + res.stderr, /hunter2/);
    }
  });

  const contradictions: Array<{ args: string[]; message: RegExp }> = [
    { args: ['--method', 'code', '--token-file', 'F'], message: /^--token-file cannot be used with --method code$/ },
    { args: ['--method', 'dev', '--username', 'u', '--password', 'p'], message: /^--password cannot be used with --method dev$/ },
    { args: ['--method', 'password', '--username', 'u', '--token-stdin'], message: /^--token-stdin cannot be used with --method password$/ },
    { args: ['--token-file', 'F', '--password-stdin'], message: /^--token-file and --password-stdin cannot be used together$/ },
    { args: ['--username', 'u', '--password', 'p', '--password-stdin'], message: /^--password and --password-stdin cannot be used together$/ },
    { args: ['--method', 'token', '--token', 't', '--token-file', 'F', '--token-stdin'], message: /^--token and --token-file and --token-stdin cannot be used together$/ },
    { args: ['--username', 'u'], message: /^--username needs --method password or --method dev$/ },
  ];
  for (const row of contradictions) {
    it(`${row.args.join(' ')}: exit 2 naming both, before anything is read, sent or stored`, async () => {
      const { osmo, dir } = newUser();
      const before = hashTree(dir);
      const requests = server().count();
      const res = await osmo(['login', server().url, ...row.args], { input: 'not read' });
      assertCleanFailure(res, { code: 2, message: row.message });
      assert.equal(server().count(), requests);
      assert.equal(hashTree(dir), before);
    });
  }
});

describe('a stored login and a new credential', () => {
  it('`osmo login URL` alone switches back and says so; any credential logs in again with it', async () => {
    const { osmo, dir } = newUser();
    assert.equal((await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com'])).code, 0);

    server().resetCounts();
    const back = await osmo(['login', server().url]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout, `Switched to ${server().url} (dev login as user@example.com)\n`);
    assert.equal(back.stderr, '');
    assert.equal(server().count(), 0);

    const piped = await osmo(['login', server().url], { input: server().issuePat('user@example.com', 'piped-over') });
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /Successfully logged in/);
    assert.equal(server().count(EXCHANGE), 1, 'the piped token was used');
    assert.equal(storedServer(dir)?.method, 'token');
    assert.equal(storedServer(dir)?.tokenName, 'piped-over');

    const file = await osmo(['login', server().url, '--token-file', secretFile(server().issuePat('user@example.com', 'file-over'))]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(storedServer(dir)?.tokenName, 'file-over');
  });

  it('a login as another user says that it replaced the stored one', async () => {
    const { osmo } = newUser();
    const first = await osmo(['login', server().url, '--method', 'token', '--token-file', secretFile(server().issuePat('user@example.com', 'first-user'))]);
    assert.equal(first.stderr, '');
    const second = await osmo(['login', server().url, '--method', 'token', '--token-file', secretFile(server().issuePat('admin@example.com', 'second-user'))]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, `Note: this login replaces the stored login of user@example.com for ${server().url}\n`);
    const same = await osmo(['login', server().url, '--method', 'token', '--token-file', secretFile(server().issuePat('admin@example.com', 'same-user'))]);
    assert.equal(same.stderr, '', 'the same user again is no news');
  });
});

describe('one line per fact', () => {
  it('an expiring PAT is warned about once, even when the service warns too (and never "Warning: WARNING:")', async () => {
    const { osmo } = newUser();
    const soon = futureDate(3);
    const pat = server().issuePat('user@example.com', 'expiring', { expiresAt: soon });
    const serviceWarning = { 'x-osmo-warning': Buffer.from(`WARNING: Access token expiring is expiring on ${soon}`).toString('base64') };
    server().fault({ route: LIST, headers: serviceWarning, times: 2 });
    try {
      for (const args of [['login', server().url, '--method', 'token', '--token-file', secretFile(pat)], ['token', 'list']]) {
        const res = await osmo(args);
        assert.equal(res.code, 0, res.stderr);
        assert.deepEqual(warnings(res), [`Warning: the access token expiring behind this login expires on ${soon} (in 3 days); rotate it with \`osmo token rotate expiring\``], args[0]);
      }
    } finally {
      server().clearFaults();
    }
  });

  it('a service warning osmo knows nothing about is shown once, without its own "WARNING:" label', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    server().fault({ route: LIST, headers: { 'x-osmo-warning': Buffer.from('WARNING: maintenance tonight').toString('base64') } });
    const res = await osmo(['token', 'list']);
    assert.deepEqual(warnings(res), ['Warning: maintenance tonight']);
  });

  it('the note that secrets went to a file, not the keychain, comes once per server', async () => {
    // In-process: the note's once-per-server memory is in config.json, which a process would read the same way.
    const { osmo } = newUser({ OSMO_CREDENTIAL_STORE: undefined, DBUS_SESSION_BUS_ADDRESS: undefined });
    const note = /^Note: the keychain is unavailable: .*; credentials are stored in .*credentials\.json \(readable only by you\)\n$/;
    const login = (url: string, name: string): Promise<RunResult> => osmo(['login', url, '--method', 'token', '--token-file', secretFile(server().issuePat('user@example.com', name))]);
    assert.match((await login(server().url, 'note-1')).stderr, note);
    assert.equal((await login(server().url, 'note-2')).stderr, '', 'not at the next login');
    const other = await startOsmoServer();
    try {
      const pat = other.issuePat('user@example.com', 'note-3');
      assert.match((await osmo(['login', other.url, '--method', 'token', '--token-file', secretFile(pat)])).stderr, note, 'once for another server');
    } finally {
      await other.close();
    }
  });
});

describe('a URL that is not an OSMO service', () => {
  it('a 404 on the token exchange is named as such, without the "create a new token" hint', async () => {
    const { osmo, dir } = newUser();
    const res = await osmo(['login', `${server().url}/not-osmo`, '--method', 'token', '--token-file', secretFile('osmo_whatever')]);
    assertCleanFailure(res, { code: 2, message: new RegExp(`^${server().url}/not-osmo does not look like an OSMO service: POST /api/auth/jwt/access_token answered 404$`) });
    assert.doesNotMatch(res.stderr, /create a new token/);
    assertNothingStored(dir);
  });

  it('an HTML page on GET /api/auth/login is named as such', async () => {
    const { osmo } = newUser();
    server().fault({ route: 'GET /api/auth/login', status: 200, body: '<!DOCTYPE html><html><body>Welcome to our site</body></html>' });
    const res = await osmo(['login', server().url, '--method', 'code']);
    assertCleanFailure(res, { code: 2, message: /does not look like an OSMO service: GET \/api\/auth\/login answered 200 with an HTML page$/ });
  });

  it('a 404 HTML page on the exchange is named as such', async () => {
    const { osmo } = newUser();
    server().fault({ route: EXCHANGE, status: 404, body: '<html><body><h1>404 Not Found</h1></body></html>' });
    const res = await osmo(['login', server().url, '--method', 'token', '--token-file', secretFile('osmo_whatever')]);
    assertCleanFailure(res, { code: 2, message: /does not look like an OSMO service: POST \/api\/auth\/jwt\/access_token answered 404 with an HTML page$/ });
  });

  it('a token the service refuses: what was read, and a way to a new token that needs no token', async () => {
    const { osmo } = newUser();
    const res = await osmo(['login', server().url, '--method', 'token', '--token-file', secretFile('not-a-real-token')]);
    assertCleanFailure(res, { code: 2, message: /^Access Token is invalid \(--token-file \S+ held 16 characters\)$/ });
    assert.match(res.stderr, /\n {2}check that it is the whole token; if it was deleted or has expired, log in without a token \(`osmo login \S+` opens a browser; add `--method code` for a device code\), then create one with `osmo token set NAME`, or on the access-token page of the OSMO web UI\n$/);
  });
});

describe('--method dev', () => {
  it('is refused with one request, storing nothing, by a service that is not in developer mode', async () => {
    const strict = await startOsmoServer({ devMode: false });
    try {
      const { osmo, dir } = newUser();
      const res = await osmo(['login', strict.url, '--method', 'dev', '--username', 'alice']);
      assertCleanFailure(res, { code: 2, message: new RegExp(`^${strict.url} does not accept developer logins \\(Jwt is missing \\(HTTP 401\\)\\)$`) });
      assert.equal(strict.count(), 1);
      assertNothingStored(dir);
    } finally {
      await strict.close();
    }
  });

  it('a web page answering 200 is named as not an OSMO service, and nothing is stored', async () => {
    const { osmo, dir } = newUser();
    server().fault({ route: LIST, status: 200, body: '<!DOCTYPE html><html><body>Welcome to our site</body></html>' });
    const res = await osmo(['login', server().url, '--method', 'dev', '--username', 'alice']);
    assertCleanFailure(res, { code: 2, message: /does not look like an OSMO service: GET \/api\/auth\/access_token answered 200 with an HTML page$/ });
    assertNothingStored(dir);
  });

  it('a 404 is named as not an OSMO service', async () => {
    const { osmo, dir } = newUser();
    const res = await osmo(['login', `${server().url}/not-osmo`, '--method', 'dev', '--username', 'alice']);
    assertCleanFailure(res, { code: 2, message: new RegExp(`^${server().url}/not-osmo does not look like an OSMO service: GET /api/auth/access_token answered 404$`) });
    assertNothingStored(dir);
  });

  it('is checked with one request and stored by a service in developer mode', async () => {
    const { osmo } = newUser();
    server().resetCounts();
    const res = await osmo(['login', server().url, '--method', 'dev', '--username', 'alice']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server().count(), 1);
    assert.equal(server().count(LIST), 1);
  });
});

describe('through a proxy', () => {
  it('a proxy nobody listens on is named, not the service', async () => {
    const { osmo } = newProcessUser();
    const port = await closedPort();
    const res = await osmo(['login', 'https://osmo.example.com', '--method', 'token', '--token-file', secretFile('osmo_whatever')], { env: { HTTPS_PROXY: `http://someone:secret@127.0.0.1:${port}` } });
    assertCleanFailure(res, { code: 10, message: new RegExp(`^could not connect to the proxy http://127\\.0\\.0\\.1:${port}: ECONNREFUSED$`) });
    assert.match(res.stderr, /\n {2}check HTTPS_PROXY, or list osmo\.example\.com in NO_PROXY to connect directly\n$/);
    assert.doesNotMatch(res.stderr, /secret/);
  });

  it('a proxy that refuses the tunnel is named with its answer', async () => {
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { osmo } = newProcessUser();
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const res = await osmo(['login', 'https://osmo.example.com', '--method', 'token', '--token-file', secretFile('osmo_whatever')], { env: { HTTPS_PROXY: url } });
      assertCleanFailure(res, { code: 10, message: new RegExp(`^the proxy ${url.replace(/\./g, '\\.')} refused to connect to osmo\\.example\\.com \\(HTTP 407\\)$`) });
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
