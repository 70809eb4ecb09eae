import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { EXCHANGE, LIST, newUser as newProcessUser, tokenLogin, withJwtLifetime } from './helpers/fixtures.js';
import { inProcessUser, runInProcess } from './helpers/in-process.js';
import { hashTree, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { closedPort } from './helpers/fault-servers.js';
import { readState, writeState } from '../src/config/state.js';

// Three services side by side, as a user with a token login at work, a dev
// service on a laptop and an OAuth login elsewhere would have them. Run
// in-process (test/helpers/in-process.ts), except `osmo status` with no login
// and `osmo logout` in a fresh directory, which go through bin/osmo.
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser();
let tokenServer: OsmoServer;
let oauthServer: OsmoServer;
const extra: OsmoServer[] = [];

before(async () => {
  [tokenServer, oauthServer] = await Promise.all([startOsmoServer(), startOsmoServer()]);
  oauthServer.oauth.setPassword('svc-robot@example.com', 'correct horse');
});
after(async () => {
  await Promise.all([tokenServer, oauthServer, ...extra].map((s) => s.close()));
});

/** A dev-mode service of the test's own, so that a test may stop it. */
async function devServer(): Promise<OsmoServer> {
  const server = await startOsmoServer();
  extra.push(server);
  return server;
}

type Osmo = ReturnType<typeof inProcessUser>['osmo'];

function ok(res: RunResult): RunResult {
  assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}${res.stdout}`);
  return res;
}

/**
 * The dev service of a login in `dir` stops: the login moves to a URL where
 * nothing listens (closedPort()), and that URL is returned. Closing the
 * server would not do: the kernel hands a freed port to the next server
 * started on port 0 (the suite starts hundreds), which would then answer. A
 * dev login keeps no secret, so config.json is all there is to move.
 */
async function stopService(dir: string, url: string): Promise<string> {
  const stopped = `http://127.0.0.1:${await closedPort()}`;
  const state = readState(dir);
  state.servers[stopped] = state.servers[url]!;
  delete state.servers[url];
  if (state.current === url) state.current = stopped;
  writeState(dir, state);
  return stopped;
}

/** Token login (PAT `name`) on the token server, dev login on `dev`, password login on the OAuth server, which ends current. */
async function threeLogins(dev: OsmoServer, name: string): Promise<{ dir: string; osmo: Osmo }> {
  const user = newUser();
  await tokenLogin(tokenServer, user.osmo, 'user@example.com', name);
  ok(await user.osmo(['login', dev.url, '--method', 'dev', '--username', 'alice@example.com']));
  const password = join(tempDir('osmo-pw-'), 'password');
  writeFileSync(password, 'correct horse\n', { mode: 0o600 });
  ok(await user.osmo(['login', oauthServer.url, '--method', 'password', '--username', 'svc-robot@example.com', '--password-file', password]));
  return user;
}

interface StatusEntry {
  server: string;
  user: string | null;
  login_method: string;
  secrets_store: string;
  jwt_expires_at: string | null;
  token: { name: string; expires_at: string | null } | null;
  current: boolean;
  in_use: boolean;
  check: { status: string; message: string | null; hint: string | null };
}

function entries(res: RunResult): StatusEntry[] {
  return JSON.parse(res.stdout) as StatusEntry[];
}

/** The text block of one server in `osmo status` output. */
function block(stdout: string, url: string): string {
  const found = stdout.split('\n\n').find((b) => b.startsWith(`${url}\n`) || b.startsWith(`${url} (`));
  assert.ok(found, `no block for ${url} in:\n${stdout}`);
  return found;
}

function resetCounts(...servers: OsmoServer[]): void {
  for (const s of servers) s.resetCounts();
}

describe('osmo status with a token, a dev and an OAuth login', () => {
  it('--offline: every login, the current one first and marked, and no request at all', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'offline-status');
    resetCounts(tokenServer, dev, oauthServer);
    const before = hashTree(dir);

    const res = ok(await osmo(['status', '--offline']));
    assert.equal(tokenServer.count() + dev.count() + oauthServer.count(), 0, 'no request');
    assert.equal(res.stderr, '');
    const blocks = res.stdout.trimEnd().split('\n\n');
    assert.deepEqual(blocks.map((b) => b.split('\n')[0]), [`${oauthServer.url} (current)`, tokenServer.url, dev.url]);
    const token = block(res.stdout, tokenServer.url);
    assert.match(token, /\n {2}Status: +not checked \(--offline\)\n/);
    assert.match(token, /\n {2}User: +user@example\.com\n/);
    assert.match(token, /\n {2}Login method: +token \(personal access token\)\n/);
    assert.ok(token.includes(`Credentials:  ${join(dir, 'credentials.json')} (readable only by you)`), token);
    assert.match(token, /\n {2}JWT expires: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in [45] min\)\n/);
    assert.match(token, /\n {2}Access token: +offline-status, expires \d{4}-\d\d-\d\d$/);
    assert.match(block(res.stdout, dev.url), /\n {2}User: +alice@example\.com\n {2}Login method: +dev \(developer mode, no token\)\n {2}Credentials: +none/);
    assert.match(block(res.stdout, oauthServer.url), /\n {2}User: +Svc Robot \(svc-robot@example\.com\)\n {2}Login method: +password \(OAuth\)\n/);

    const json = ok(await osmo(['status', '--offline', '-t', 'json']));
    const list = entries(json);
    assert.deepEqual(list.map((e) => [e.server, e.login_method, e.secrets_store, e.current, e.in_use, e.check.status]), [
      [oauthServer.url, 'password', 'file', true, true, 'not checked'],
      [tokenServer.url, 'token', 'file', false, false, 'not checked'],
      [dev.url, 'dev', 'none', false, false, 'not checked'],
    ]);
    assert.equal(list[1]?.token?.name, 'offline-status');
    assert.equal(tokenServer.count() + dev.count() + oauthServer.count(), 0);
    assert.equal(hashTree(dir), before, 'status changes nothing');
  });

  it('online: each login checked with one request to its own service, all working', async () => {
    const dev = await devServer();
    const { osmo } = await threeLogins(dev, 'online-status');
    resetCounts(tokenServer, dev, oauthServer);
    const res = ok(await osmo(['status']));
    for (const url of [tokenServer.url, dev.url, oauthServer.url]) {
      assert.match(block(res.stdout, url), /\n {2}Status: +working \(the service accepted it just now\)\n/);
    }
    // The JWTs are fresh: one token list each proves the credential, nothing else is sent.
    assert.deepEqual([tokenServer.count(), tokenServer.count(LIST)], [1, 1]);
    assert.deepEqual([dev.count(), dev.count(LIST)], [1, 1]);
    assert.deepEqual([oauthServer.count(), oauthServer.count(LIST)], [1, 1]);
    assert.equal(dev.requests[0]?.headers['x-osmo-user'], 'alice@example.com');

    const json = entries(ok(await osmo(['status', '-t', 'json'])));
    assert.deepEqual(json.map((e) => e.check), Array(3).fill({ status: 'ok', message: null, hint: null }));
  });

  it('one login revoked on its service and one service stopped: their rows say so, and the exit code follows the current login', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'revoked-status');
    // The user deletes the PAT behind the token login; its cached JWT still works for minutes.
    ok(await osmo(['switch', tokenServer.url]));
    ok(await osmo(['token', 'delete', 'revoked-status']));
    ok(await osmo(['switch', oauthServer.url]));
    const stopped = await stopService(dir, dev.url);
    const before = hashTree(dir);

    // Each check of the stopped service costs osmo its retries (about 1.3 s of
    // back-off): the five views are taken at once, those with another current
    // login from copies of the directory switched there, so that none waits for another.
    const copy = async (url: string): Promise<string> => {
      const other = tempDir();
      cpSync(dir, other, { recursive: true });
      ok(await runInProcess(['switch', url], other));
      return other;
    };
    const [tokenCurrent, devCurrent] = await Promise.all([copy(tokenServer.url), copy(stopped)]);
    const [res, jsonRes, refused, unreachable, one] = await Promise.all([
      osmo(['status']),
      osmo(['status', '-t', 'json']),
      runInProcess(['status'], tokenCurrent),
      runInProcess(['status', '-t', 'json'], devCurrent),
      runInProcess(['status', oauthServer.url], devCurrent),
    ]);

    ok(res);
    assert.match(block(res.stdout, oauthServer.url), /\n {2}Status: +working/);
    const revoked = block(res.stdout, tokenServer.url);
    assert.match(revoked, /\n {2}Status: +refused: the access token revoked-status no longer exists on the service\n/);
    assert.match(revoked, /\n {2}Hint: +log in without a token \(`osmo login http:\S+` opens a browser; add `--method code` for a device code\), then create one with `osmo token set NAME`, or on the access-token page of the OSMO web UI\n/);
    assert.match(block(res.stdout, stopped), new RegExp(`\\n {2}Status: +unreachable: cannot connect to ${stopped.slice('http://'.length)}: connection refused\\n`));
    assert.equal(res.stderr, '', 'the current login works: no error');

    const json = entries(ok(jsonRes));
    assert.deepEqual(json.map((e) => [e.server, e.check.status]), [[oauthServer.url, 'ok'], [tokenServer.url, 'refused'], [stopped, 'unreachable']]);
    assert.equal(json[1]?.check.message, 'the access token revoked-status no longer exists on the service');
    assert.equal(hashTree(dir), before, 'nothing is written for logins whose check failed');

    assert.match(block(refused.stdout, tokenServer.url), /^\S+ \(current\)\n {2}Status: +refused/);
    assertCleanFailure(refused, { code: 2, message: /^the current login for http:\S+ does not work: the access token revoked-status no longer exists on the service$/ });

    assert.equal(unreachable.code, 10, unreachable.stderr);
    assert.equal(entries(unreachable)[0]?.check.status, 'unreachable');
    assert.deepEqual(JSON.parse(unreachable.stderr), {
      message: `the current login for ${stopped} could not be checked: cannot connect to ${stopped.slice('http://'.length)}: connection refused`,
      code: 10,
      hint: 'check the URL and that the service is running',
    });

    // Given a URL (here while the stopped service's login is current), only that login is shown, and the exit code follows it.
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout.split('\n\n').length, 1);
    assert.match(one.stdout, /^\S+\n {2}Status: +working/);
  });

  it('a stale JWT: the PAT exchange is the check of a token login; a PAT deleted since is refused', async () => {
    const { osmo, dir } = newUser();
    await withJwtLifetime(tokenServer, 20, async () => { // stale for the client (30 s margin) as soon as it is issued
      await tokenLogin(tokenServer, osmo, 'user@example.com', 'stale-status');
      tokenServer.resetCounts();
      const res = ok(await osmo(['status']));
      assert.match(res.stdout, /\n {2}Status: +working/);
      assert.deepEqual([tokenServer.count(), tokenServer.count(EXCHANGE)], [1, 1], 'the exchange alone proves the PAT');

      ok(await osmo(['token', 'delete', 'stale-status']));
      const before = hashTree(dir);
      tokenServer.resetCounts();
      const refused = await osmo(['status']);
      assertCleanFailure(refused, { code: 2, message: /^the current login for http:\S+ does not work: Access Token is invalid$/ });
      assert.match(refused.stdout, /\n {2}Status: +refused: Access Token is invalid\n/);
      assert.equal(tokenServer.count(LIST), 0);
      assert.equal(hashTree(dir), before);
    });
  });

  it('OSMO_URL with OSMO_TOKEN is a row of its own, first and marked, and the exit code follows it', async () => {
    const dev = await devServer();
    const { osmo } = newUser();
    ok(await osmo(['login', dev.url, '--method', 'dev', '--username', 'alice@example.com']));
    const pat = tokenServer.issuePat('admin@example.com', 'env-status');
    const env = { OSMO_URL: tokenServer.url, OSMO_TOKEN: pat };

    const res = ok(await osmo(['status'], { env }));
    const [first, second] = res.stdout.trimEnd().split('\n\n');
    assert.match(first!, new RegExp(`^${tokenServer.url} \\(OSMO_URL and OSMO_TOKEN: in use, ahead of any stored login\\)\\n {2}Status: +working`));
    assert.match(first!, /\n {2}User: +admin@example\.com\n/);
    assert.match(first!, /\n {2}Credentials: +OSMO_TOKEN in the environment \(nothing stored\)\n/);
    assert.match(second!, new RegExp(`^${dev.url} \\(current, but not in use while OSMO_TOKEN is set\\)\\n`));
    assert.ok(!res.stdout.includes(pat) && !res.stderr.includes(pat), 'the PAT is never shown');

    const json = entries(ok(await osmo(['status', '-t', 'json'], { env })));
    assert.deepEqual(json.map((e) => [e.server, e.secrets_store, e.current, e.in_use]), [
      [tokenServer.url, 'environment', false, true],
      [dev.url, 'none', true, false],
    ]);

    const stale = await osmo(['status'], { env: { ...env, OSMO_TOKEN: 'stale-token-from-an-old-ci-secret' } });
    assertCleanFailure(stale, { code: 2, message: /^the login from OSMO_URL and OSMO_TOKEN \(http:\S+\) does not work: OSMO_TOKEN in the environment was refused: Access Token is invalid$/ });
    assert.match(block(stale.stdout, dev.url), /Status: +working/, 'the stored login is checked all the same');
  });

  it('no login: exit 2, and `-t json` prints an empty array', async () => {
    const { osmo, dir } = newProcessUser();
    // Four processes that only read an empty directory: started together.
    const [text, json, named, bare] = await Promise.all([['status'], ['status', '-t', 'json'], ['status', tokenServer.url], ['status', 'osmo.example.com']].map((args) => osmo(args)));
    assertCleanFailure(text!, { code: 2, message: /^you are not logged in$/ });
    assert.equal(json!.code, 2);
    assert.equal(json!.stdout, '[]\n');
    assert.equal(JSON.parse(json!.stderr).message, 'you are not logged in');
    assertCleanFailure(named!, { code: 2, message: /^no stored login for http:\S+$/ });
    // Without a scheme: https:// (test/bare-host.test.ts), which has no login either.
    assertCleanFailure(bare!, { code: 2, message: /^no stored login for https:\/\/osmo\.example\.com$/ });
    assert.equal(hashTree(dir), hashTree(tempDir()), 'nothing was created');
  });
});

describe('osmo switch', () => {
  it('by URL: makes that login current without a request and says which login it is', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'switch-by-url');
    resetCounts(tokenServer, dev, oauthServer);
    const res = ok(await osmo(['switch', `${tokenServer.url}/`]));
    assert.equal(res.stdout, `Switched to ${tokenServer.url} (token login as user@example.com)\n`);
    assert.equal(res.stderr, '');
    assert.equal(tokenServer.count() + dev.count() + oauthServer.count(), 0);
    assert.equal((JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { current: string }).current, tokenServer.url);
    assert.match(ok(await osmo(['token', 'list'])).stdout, /switch-by-url/);
    assert.equal(ok(await osmo(['switch', oauthServer.url])).stdout, `Switched to ${oauthServer.url} (password login as svc-robot@example.com)\n`);
    assert.equal(ok(await osmo(['switch', dev.url])).stdout, `Switched to ${dev.url} (dev login as alice@example.com)\n`);
  });

  it('an unknown URL is exit 2 naming the stored logins, and changes nothing', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'switch-unknown');
    const before = hashTree(dir);
    const res = await osmo(['switch', 'https://nowhere.example.com']);
    assertCleanFailure(res, { code: 2, message: /^no stored login for https:\/\/nowhere\.example\.com$/ });
    const stored = [`${tokenServer.url} (token login as user@example.com)`, `${dev.url} (dev login as alice@example.com)`, `${oauthServer.url} (password login as svc-robot@example.com)`];
    assert.ok(res.stderr.includes(`\n  stored logins: ${stored.join(', ')}; or log in with \`osmo login https://nowhere.example.com\`\n`), res.stderr);
    assert.equal(hashTree(dir), before);
  });

  it('with two logins and no URL, switches to the other one, back and forth', async () => {
    const dev = await devServer();
    const { osmo } = newUser();
    await tokenLogin(tokenServer, osmo, 'user@example.com', 'switch-two');
    ok(await osmo(['login', dev.url, '--method', 'dev', '--username', 'alice@example.com']));
    assert.equal(ok(await osmo(['switch'])).stdout, `Switched to ${tokenServer.url} (token login as user@example.com)\n`);
    assert.equal(ok(await osmo(['switch'])).stdout, `Switched to ${dev.url} (dev login as alice@example.com)\n`);
  });

  it('with three logins and no URL, it is ambiguous: exit 2 listing the others; with one, nothing to switch to', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'switch-ambiguous');
    const before = hashTree(dir);
    const res = await osmo(['switch']);
    assertCleanFailure(res, { code: 2, message: /^2 other logins are stored; say which one to switch to$/ });
    assert.match(res.stderr, new RegExp(`\\n {2}run \`osmo switch URL\` with one of: ${tokenServer.url} \\(token login as user@example\\.com\\), ${dev.url} \\(dev login as alice@example\\.com\\)\\n`));
    assert.equal(hashTree(dir), before);

    const single = newUser();
    ok(await single.osmo(['login', dev.url, '--method', 'dev', '--username', 'bob']));
    assertCleanFailure(await single.osmo(['switch']), { code: 2, message: /is your only stored login; there is nothing to switch to$/ });
    assertCleanFailure(await newUser().osmo(['switch']), { code: 2, message: /^you are not logged in to any server$/ });
  });

  it('a user name from the service is made safe before it is printed', async () => {
    const { osmo } = newUser();
    await tokenLogin(tokenServer, osmo, 'evil\u001b[2J\u202euser@example.com', 'switch-safe');
    const dev = await devServer();
    ok(await osmo(['login', dev.url, '--method', 'dev', '--username', 'alice']));
    const res = ok(await osmo(['switch', tokenServer.url]));
    assert.equal(res.stdout, `Switched to ${tokenServer.url} (token login as evil\\e[2J\\u202euser@example.com)\n`);
    const status = ok(await osmo(['status', '--offline']));
    assert.match(status.stdout, /User: +evil\\e\[2J\\u202euser@example\.com\n/);
    assert.ok(!status.stdout.includes('\u001b') && !status.stdout.includes('\u202e'));
    const json = entries(ok(await osmo(['status', '--offline', '-t', 'json'])));
    assert.equal(json[0]?.user, 'evil\u001b[2J\u202euser@example.com', 'JSON is printed exact');
  });
});

describe('osmo logout', () => {
  it('of the current login: names the server, keeps the others, and says how to switch to them', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'logout-one');
    const res = ok(await osmo(['logout']));
    assert.equal(res.stdout, `Successfully logged out of ${oauthServer.url}.\n`);
    assert.equal(res.stderr, `Note: you are still logged in to 2 other servers: ${tokenServer.url} (token login as user@example.com), ${dev.url} (dev login as alice@example.com); switch with \`osmo switch URL\`\n`);
    const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, unknown> };
    assert.deepEqual(Object.keys(credentials.accounts), [tokenServer.url]);

    // whoami no longer says only "not logged in": it names what is left.
    assertCleanFailure(await osmo(['whoami']), { code: 2, message: new RegExp(`^there is no current login \\(you logged out of ${oauthServer.url}\\)$`) });
    assert.match((await osmo(['whoami'])).stderr, /\n {2}run `osmo switch URL` with one of: /);

    // Logging out of a login that is not current says nothing more.
    ok(await osmo(['switch', tokenServer.url]));
    const other = ok(await osmo(['logout', dev.url]));
    assert.equal(other.stdout, `Successfully logged out of ${dev.url}.\n`);
    assert.equal(other.stderr, '');
    const last = ok(await osmo(['logout']));
    assert.equal(last.stderr, '');
    assert.equal(last.stdout, `Successfully logged out of ${tokenServer.url}.\n`);
  });

  it('a login that is left alone after a logout of the current one becomes current, and says so', async () => {
    const dev = await devServer();
    const { osmo } = newUser();
    await tokenLogin(tokenServer, osmo, 'user@example.com', 'logout-two');
    ok(await osmo(['login', dev.url, '--method', 'dev', '--username', 'alice@example.com']));
    const res = ok(await osmo(['logout']));
    assert.equal(res.stdout, `Successfully logged out of ${dev.url}.\nSwitched to ${tokenServer.url} (token login as user@example.com)\n`);
    assert.equal(res.stderr, '');
    assert.match(ok(await osmo(['whoami'])).stdout, new RegExp(`^Server: +${tokenServer.url}$`, 'm'));
  });

  it('--all: every server, and nothing is left in the config or credentials file', async () => {
    const dev = await devServer();
    const { osmo, dir } = await threeLogins(dev, 'logout-all');
    const res = ok(await osmo(['logout', '--all']));
    assert.deepEqual(res.stdout.trimEnd().split('\n').sort(), [tokenServer.url, dev.url, oauthServer.url].map((u) => `Successfully logged out of ${u}.`).sort());
    assert.equal(res.stderr, '');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers: Record<string, unknown> };
    assert.deepEqual(config.servers, {});
    const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, unknown> };
    assert.deepEqual(credentials.accounts, {});
    assertCleanFailure(await osmo(['logout', '--all', tokenServer.url]), { code: 2, message: /^give a server URL or --all, not both$/ });
  });

  it('nothing to log out of: a note on stderr and exit 0, as docker logout and the Python client', async () => {
    const { osmo, dir } = newUser();
    for (const args of [['logout'], ['logout', '--all']]) {
      const res = ok(await osmo(args));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, /^Note: you are not logged in( to any server)?; there is nothing to log out of\n$/);
    }
    const named = ok(await osmo(['logout', tokenServer.url]));
    assert.equal(named.stderr, `Note: you are not logged in to ${tokenServer.url}; there is nothing to log out of\n`);
    assert.equal(hashTree(dir), hashTree(tempDir()), 'nothing was created');
    const never = join(tempDir(), 'never-created');
    const fresh = ok(await runOsmo(['logout'], never));
    assert.equal(fresh.stderr, 'Note: you are not logged in; there is nothing to log out of\n');
    assert.equal(existsSync(never), false, 'logging out creates no config directory');

    await tokenLogin(tokenServer, osmo, 'user@example.com', 'logout-twice');
    ok(await osmo(['logout']));
    const again = ok(await osmo(['logout']));
    assert.equal(again.stderr, `Note: you are not logged in to ${tokenServer.url}; there is nothing to log out of\n`);
  });
});
