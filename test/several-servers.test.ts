import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { newUser, tokenLogin } from './helpers/fixtures.js';
import { hashTree, tempDir, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';

// Three services side by side, as a user with a token login at work, a dev
// service on a laptop and an OAuth login elsewhere would have them.
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

type Osmo = ReturnType<typeof newUser>['osmo'];

function ok(res: RunResult): RunResult {
  assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}${res.stdout}`);
  return res;
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

function resetCounts(...servers: OsmoServer[]): void {
  for (const s of servers) s.resetCounts();
}

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

  it('a login that is left alone after a logout is named by whoami with the switch command', async () => {
    const dev = await devServer();
    const { osmo } = newUser();
    await tokenLogin(tokenServer, osmo, 'user@example.com', 'logout-two');
    ok(await osmo(['login', dev.url, '--method', 'dev', '--username', 'alice@example.com']));
    const res = ok(await osmo(['logout']));
    assert.equal(res.stderr, `Note: you are still logged in to ${tokenServer.url} (token login as user@example.com); switch to it with \`osmo switch ${tokenServer.url}\`\n`);
    const whoami = await osmo(['whoami']);
    assertCleanFailure(whoami, { code: 2, message: /^there is no current login/ });
    assert.ok(whoami.stderr.includes(`\n  your login for ${tokenServer.url} is still stored: run \`osmo switch ${tokenServer.url}\`\n`), whoami.stderr);
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

    await tokenLogin(tokenServer, osmo, 'user@example.com', 'logout-twice');
    ok(await osmo(['logout']));
    const again = ok(await osmo(['logout']));
    assert.equal(again.stderr, `Note: you are not logged in to ${tokenServer.url}; there is nothing to log out of\n`);
  });
});
