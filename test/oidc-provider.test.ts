// The OAuth logins end to end against an OpenID Certified provider
// (`oidc-provider`, test/helpers/oidc-provider.ts) set up like an OSMO
// deployment's: the OSMO service's `GET /api/auth/login` names it, and its
// gateway takes the ID tokens it signs. The project's own provider
// (test/server/oauth.ts) stays for faults and the password grant, which
// oidc-provider does not offer. JWTs are aged by the lifetime the provider
// gives them (20 s is stale at once for osmo, which renews 30 s early), not by sleeping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { startOidcProvider, type OidcProvider, type Page } from './helpers/oidc-provider.js';
import { baseEnv, OSMO_BIN, tempDir, type RunResult } from './helpers/cli.js';
import { LIST, newUser } from './helpers/fixtures.js';

type Osmo = ReturnType<typeof newUser>['osmo'];

interface Stored {
  config: { current?: string; servers: Record<string, Record<string, unknown>> };
  secrets: { refreshToken?: string; jwt?: string };
}

function startBoth(opts: Parameters<typeof startOidcProvider>[0] = {}): { idp: () => OidcProvider; osmo: () => OsmoServer } {
  let idp: OidcProvider | undefined;
  let osmo: OsmoServer | undefined;
  before(async () => {
    idp = await startOidcProvider(opts);
    osmo = await startOsmoServer({ identityProvider: idp.identityProvider });
  });
  after(async () => {
    await osmo?.close();
    await idp?.close();
  });
  return {
    idp: () => idp ?? assert.fail('oidc-provider not started'),
    osmo: () => osmo ?? assert.fail('OSMO server not started'),
  };
}

function stored(dir: string, url: string): Stored {
  const config = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as Stored['config'];
  const file = JSON.parse(readFileSync(`${dir}/credentials.json`, 'utf8')) as { accounts: Record<string, Stored['secrets']> };
  return { config, secrets: file.accounts[url] ?? {} };
}

function assertNoSecretPrinted(res: RunResult, secrets: Array<string | undefined>): void {
  for (const secret of secrets) {
    if (secret) assert.ok(!res.stdout.includes(secret) && !res.stderr.includes(secret), 'a secret was printed');
  }
}

/** `osmo login URL --method pkce` with this provider's user agent as the browser; the page osmo answered it with too. */
async function pkceLogin(idp: OidcProvider, osmo: Osmo, url: string): Promise<RunResult & { page: string }> {
  const pageFile = `${tempDir('osmo-page-')}/page.txt`;
  // Bounded below the runner's 30 s, so a browser that never comes back ends in osmo's own words.
  const res = await osmo(['login', url, '--method', 'pkce'], { env: { ...idp.browserEnv(pageFile), OSMO_LOGIN_TIMEOUT: '20' } });
  // osmo may exit before the browser has written down the page it got.
  for (let i = 0; i < 40 && !existsSync(pageFile); i++) await sleep(50);
  return { ...res, page: existsSync(pageFile) ? readFileSync(pageFile, 'utf8') : '' };
}

/**
 * `osmo login URL --method code`, run as a process whose stderr is read as it
 * comes: once osmo shows the verification URL, `act` opens it (the user on
 * another device); returns the run and the provider's last page.
 */
async function deviceLogin(dir: string, url: string, act: (verificationUrl: string) => Promise<Page>): Promise<RunResult & { page: Page }> {
  const child = spawn(process.execPath, [OSMO_BIN, 'login', url, '--method', 'code'], { env: baseEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const shown = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const complete = /\(or open (\S+) and confirm the code\)/.exec(stderr)?.[1];
      if (complete) resolve(complete);
    });
    child.once('exit', () => reject(new Error(`osmo ended before showing a code: ${stderr}`)));
  });
  const exited = new Promise<Pick<RunResult, 'code' | 'signal'>>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const page = await act(await shown);
    const { code, signal } = await exited;
    return { code, signal, stdout, stderr, page };
  } finally {
    clearTimeout(timer);
  }
}

describe('against oidc-provider: the browser login (PKCE)', () => {
  const { idp, osmo: server } = startBoth();

  it('signs in and consents at the provider, takes the code on http://localhost:PORT, and the gateway takes the ID token', async () => {
    const { osmo, dir } = newUser();
    const before = idp().count('authorization_code');
    const res = await pkceLogin(idp(), osmo, server().url);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Logging in to ${server().url}\nSuccessfully logged in. Welcome User.\n`);
    assert.match(res.page, /^200\n.*logged in/);
    assert.equal(idp().count('authorization_code'), before + 1);

    const authorize = new URL(/Open this URL in your browser: (\S+)/.exec(res.stderr)?.[1] ?? assert.fail(res.stderr));
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${idp().issuer}/auth`);
    assert.equal(authorize.searchParams.get('client_id'), 'osmo-browser');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+$/);
    assert.match(authorize.searchParams.get('scope') ?? '', /\boffline_access\b/);

    const { config, secrets } = stored(dir, server().url);
    assert.deepEqual(config.servers[server().url], {
      method: 'pkce', username: 'user@example.com', clientId: 'osmo-browser', tokenEndpoint: `${idp().issuer}/token`, store: 'file',
    });
    assert.ok(secrets.refreshToken, 'offline_access gave a refresh token');
    assertNoSecretPrinted(res, [secrets.jwt, secrets.refreshToken]);

    server().resetCounts();
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(server().requests.map((r) => `${r.method} ${r.path}`), [LIST], 'the ID token from the login was used as it is');
  });

  it('refreshes after expiry with the rotated refresh token, each time with the newest one; the old one is spent', async () => {
    const { osmo, dir } = newUser();
    const url = server().url;
    idp().setIdTokenLifetime(20);
    let first: Stored['secrets'];
    try {
      const res = await pkceLogin(idp(), osmo, url);
      assert.equal(res.code, 0, res.stderr);
      first = stored(dir, url).secrets;
      const refreshes = idp().count('refresh_token');

      // Stale at once: this command refreshes, and gets another short-lived token.
      const list = await osmo(['token', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(idp().count('refresh_token'), refreshes + 1);
      const second = stored(dir, url).secrets;
      assert.ok(second.refreshToken && second.refreshToken !== first.refreshToken, 'the rotated refresh token is stored');
      // Not compared with the first ID token: issued in the same second, with the same claims, it
      // is the same string. That the refresh's ID token is stored shows below: once it lives
      // 300 s, the next command does not refresh.
      assertNoSecretPrinted(list, [first.refreshToken, second.refreshToken, second.jwt]);

      // The next refresh must use the rotated token: the first one is spent.
      idp().setIdTokenLifetime(300);
      const again = await osmo(['token', 'list']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(idp().count('refresh_token'), refreshes + 2);
      assert.deepEqual(idp().refusals('refresh_token'), []);
      const third = stored(dir, url).secrets;
      assert.ok(third.refreshToken && third.refreshToken !== second.refreshToken);

      // Fresh now: no refresh.
      assert.equal((await osmo(['token', 'list'])).code, 0);
      assert.equal(idp().count('refresh_token'), refreshes + 2);
    } finally {
      idp().setIdTokenLifetime(300);
    }

    // Last, as the provider answers a spent token's reuse by revoking the whole grant.
    const replay = await fetch(`${idp().issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refreshToken ?? '', client_id: 'osmo-browser' }),
    });
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error?: string }).error, 'invalid_grant');
  });
});

describe('against oidc-provider: the device-code login', () => {
  const { idp, osmo: server } = startBoth();

  it('shows the provider\'s code, polls until it is approved in a browser, and refreshes later', async () => {
    const { osmo, dir } = newUser();
    const url = server().url;
    idp().setIdTokenLifetime(20);
    try {
      const res = await deviceLogin(dir, url, (verification) => idp().browse(verification));
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.page.status, 200, res.page.text);
      assert.match(res.stdout, /Successfully logged in\. Welcome User\.\n$/);
      assert.match(res.stderr, new RegExp(`open ${idp().issuer}/device in a browser and enter the code [A-Z]{4}-[A-Z]{4}\\b`));
      assert.equal(idp().count('device_code'), 1);
      const { config, secrets } = stored(dir, url);
      assert.deepEqual(config.servers[url], {
        method: 'code', username: 'user@example.com', clientId: 'osmo-device', tokenEndpoint: `${idp().issuer}/token`, store: 'file',
      });
      assert.ok(secrets.refreshToken, 'offline_access gave a refresh token');
      assertNoSecretPrinted(res, [secrets.jwt, secrets.refreshToken]);

      idp().setIdTokenLifetime(300);
      const list = await osmo(['token', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(idp().count('refresh_token'), 1);
      assert.notEqual(stored(dir, url).secrets.refreshToken, secrets.refreshToken, 'rotated');
      assert.equal((await osmo(['token', 'list'])).code, 0);
      assert.equal(idp().count('refresh_token'), 1);
    } finally {
      idp().setIdTokenLifetime(300);
    }
  });

  it('a code the user refuses at the provider exits 2 and stores nothing', async () => {
    const { dir } = newUser();
    const res = await deviceLogin(dir, server().url, (verification) => idp().browse(verification, { deny: true }));
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /^Error: the login with code [A-Z]{4}-[A-Z]{4} was denied/m);
    assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.lock')), []);
  });
});

describe('against oidc-provider keeping OpenID Connect Core 11 to the letter', () => {
  // Without prompt=consent (osmo sends none) the browser login gets no refresh token.
  const { idp, osmo: server } = startBoth({ strictOfflineAccess: true, idTokenLifetime: 20 });

  it('a browser login without a refresh token works until its ID token expires, then says to log in again', async () => {
    const { osmo, dir } = newUser();
    const url = server().url;
    const res = await pkceLogin(idp(), osmo, url);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(stored(dir, url).secrets.refreshToken, undefined);
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 2);
    assert.equal(list.stderr, `Error: the pkce login for ${url} has expired and holds no refresh token to renew it\n  run \`osmo login ${url} --method pkce\` again\n`);
    assert.equal(idp().count('refresh_token'), 0);
  });
});
