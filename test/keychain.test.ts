import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSecretService, type SecretService } from './helpers/secret-service.js';
import { readTree, tempDir } from './helpers/cli.js';
import { EXCHANGE, newUser, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { skipOrFail } from './helpers/unavailable.js';
import { assertCleanFailure, escapeRegExp } from './helpers/assert-cli.js';
import { loadKeyringBinding } from '../src/store/keychain-binding.js';

// With OSMO_TEST_STRICT=1 (set by .ci/run) an unavailable keychain fails
// these tests instead of skipping them.
const run = promisify(execFile);
const server = useServer();
let service: SecretService | undefined;
let unavailable: string | undefined;
/** A second service, for the test that stops one: started beside the first rather than after it. */
let second: ReturnType<typeof startSecretService> | undefined;

before(async () => {
  try {
    loadKeyringBinding();
  } catch (err) {
    unavailable = `no keychain binding: ${(err as Error).message}`;
    return;
  }
  second = startSecretService();
  const started = await startSecretService();
  if ('unavailable' in started) unavailable = started.unavailable;
  else service = started;
});
after(async () => {
  const own = await second;
  await Promise.all([service?.stop(), own && 'stop' in own ? own.stop() : undefined]);
});

/** The keychain's env, or skip (fail under OSMO_TEST_STRICT=1). */
function keychainEnv(t: TestContext): Record<string, string | undefined> | undefined {
  if (!service) {
    skipOrFail(t, `no keychain: ${unavailable}`);
    return undefined;
  }
  return { ...service.env, OSMO_CREDENTIAL_STORE: undefined };
}

async function secretToolSearch(env: Record<string, string | undefined>): Promise<string> {
  const res = await run('secret-tool', ['search', '--all', 'service', 'osmo-cli'], { env: { ...process.env, ...env } as NodeJS.ProcessEnv, timeout: 10_000 }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
  return `${res.stdout}${res.stderr}`;
}

function patFile(pat: string): string {
  const file = join(tempDir(), 'token');
  writeFileSync(file, pat, { mode: 0o600 });
  return file;
}

describe('the OS keychain (a private Secret Service)', () => {
  it('a token login keeps the PAT and JWT in the keychain and in no file; logout removes them', async (t) => {
    const env = keychainEnv(t);
    if (!env) return;
    const { dir, osmo } = newUser(env);
    const pat = server().issuePat('user@example.com', 'keychain-token');
    const login = await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(pat)]);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stderr, '', 'no fallback notice when the keychain works');

    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers: Record<string, { store: string }> };
    assert.equal(config.servers[server().url]?.store, 'keychain');
    const files = readTree(dir);
    assert.ok(!files.includes(pat), 'the PAT is in a file');
    // Login looks up the PAT's expiry with the new JWT: that request shows which JWT it holds.
    const jwt = /^Bearer (\S+)$/.exec(String(server().requests.at(-1)?.headers.authorization))?.[1];
    assert.ok(jwt, 'login used its new JWT');
    assert.ok(!files.includes(jwt), 'the JWT is in a file');
    assert.ok(!files.includes('eyJ'), 'a JWT is in a file');

    const found = await secretToolSearch(env);
    assert.match(found, new RegExp(`username = ${server().url.replace(/[.]/g, '\\.')}`));
    assert.match(found, /service = osmo-cli/);

    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /keychain-token/);

    const out = await osmo(['logout']);
    assert.equal(out.code, 0, out.stderr);
    assert.doesNotMatch(await secretToolSearch(env), /osmo-cli/);
  });

  it('token rotate of the token behind a keychain login keeps the new token in the keychain', async (t) => {
    const env = keychainEnv(t);
    if (!env) return;
    const { dir, osmo } = newUser(env);
    const pat = server().issuePat('user@example.com', 'keychain-rotated');
    assert.equal((await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(pat)])).code, 0);
    const rotated = await osmo(['token', 'rotate', 'keychain-rotated', '-t', 'json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const { token } = JSON.parse(rotated.stdout) as { token: string };
    assert.ok(!readTree(dir).includes(token), 'the new PAT is in a file');
    // Only the new PAT can renew the login now.
    server().rotateSigningKey();
    const before = server().count(EXCHANGE);
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(server().count(EXCHANGE), before + 1);
  });

  it('16 parallel commands after expiry share one exchange through the keychain', async (t) => {
    const env = keychainEnv(t);
    if (!env) return;
    const { osmo } = newUser(env);
    // A JWT that lives 20 s is stale for osmo (30 s margin) as soon as it is stored: no waiting for it to age.
    await withJwtLifetime(server(), 20, async () => {
      const pat = server().issuePat('user@example.com', 'keychain-stampede');
      assert.equal((await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(pat)])).code, 0);
    });
    const before = server().count(EXCHANGE);
    const results = await Promise.all(Array.from({ length: 16 }, () => osmo(['token', 'list'])));
    for (const res of results) assert.equal(res.code, 0, res.stderr);
    console.log(`# keychain: exchanges for 16 parallel commands after expiry: ${server().count(EXCHANGE) - before}`);
    assert.equal(server().count(EXCHANGE) - before, 1);
  });
});

// Each case has a directory of its own and no keychain item: they run at once.
describe('choosing the store', { concurrency: true }, () => {
  it('without a D-Bus session, login falls back to the file with one notice, not repeated later', async () => {
    const { dir, osmo } = newUser({ OSMO_CREDENTIAL_STORE: undefined });
    const pat = server().issuePat('user@example.com', 'fallback-token');
    const login = await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(pat)]);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /^Note: the keychain is unavailable: no D-Bus session \(DBUS_SESSION_BUS_ADDRESS is not set\); credentials are stored in .*credentials\.json \(readable only by you\)\n$/);
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0);
    assert.equal(list.stderr, '');
    assert.ok(readFileSync(join(dir, 'credentials.json'), 'utf8').includes(pat));
  });

  it('OSMO_CREDENTIAL_STORE=file is quiet', async () => {
    const { osmo } = newUser({ OSMO_CREDENTIAL_STORE: 'file' });
    const pat = server().issuePat('user@example.com', 'quiet-file');
    const login = await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(pat)]);
    assert.equal(login.code, 0);
    assert.equal(login.stderr, '');
  });

  it('a forced keychain that cannot be reached is an error naming the cause, and stores nothing', async () => {
    const { dir, osmo } = newUser({ OSMO_CREDENTIAL_STORE: 'keychain' });
    const pat = server().issuePat('user@example.com', 'forced-keychain');
    const login = await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(pat)]);
    assert.equal(login.code, 2);
    assert.match(login.stderr, /^Error: the keychain is unavailable: no D-Bus session/);
    assert.doesNotMatch(readTree(dir), new RegExp(pat));
  });

  it('a forced keychain on a bus without a Secret Service names that cause', async () => {
    const { osmo } = newUser({ OSMO_CREDENTIAL_STORE: 'keychain', DBUS_SESSION_BUS_ADDRESS: `unix:path=${tempDir()}/no-bus` });
    const res = await osmo(['login', server().url, '--method', 'token', '--token', 'whatever-token-value']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Error: the keychain is unavailable: no Secret Service answered/m);
  });
});

describe('logout where the keychain cannot be reached', () => {
  async function keychainLogin(env: Record<string, string | undefined>, name: string): Promise<{ dir: string; osmo: ReturnType<typeof newUser>['osmo'] }> {
    const user = newUser(env);
    const login = await user.osmo(['login', server().url, '--method', 'token', '--token-file', patFile(server().issuePat('user@example.com', name))]);
    assert.equal(login.code, 0, login.stderr);
    return user;
  }

  const servers = (dir: string): Record<string, { store?: string; staleKeychainItem?: boolean }> =>
    (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers: Record<string, { store?: string; staleKeychainItem?: boolean }> }).servers;

  it('says the secrets are still in the keychain and how to remove them, and exits 2; the command it gives works', async (t) => {
    const env = keychainEnv(t);
    if (!env) return;
    const { dir, osmo } = await keychainLogin(env, 'keychain-unreachable');
    const res = await osmo(['logout'], { env: { DBUS_SESSION_BUS_ADDRESS: undefined } });
    assertCleanFailure(res, {
      code: 2,
      message: new RegExp(`^logged out of ${escapeRegExp(server().url)}, but its secrets are still in the keychain \\(the keychain is unavailable: no D-Bus session \\(DBUS_SESSION_BUS_ADDRESS is not set\\)\\)$`),
    });
    const hint = res.stderr.split('\n')[1] ?? '';
    assert.equal(hint, `  run \`osmo logout ${server().url}\` where the keychain can be reached, or: secret-tool clear service osmo-cli username ${server().url}`);
    assert.equal(res.stdout, '', 'no success line');
    assert.deepEqual(servers(dir), {}, 'osmo no longer uses the login');
    assert.match(await secretToolSearch(env), new RegExp(`username = ${escapeRegExp(server().url)}`), 'the item is really still there');

    await run('sh', ['-c', hint.split('or: ')[1]!], { env: { ...process.env, ...env } as NodeJS.ProcessEnv, timeout: 10_000 });
    assert.doesNotMatch(await secretToolSearch(env), /osmo-cli/);
  });

  it('a Secret Service that has stopped: exits 2 naming the keychain', async (t) => {
    if (!keychainEnv(t)) return;
    const own = await second!;
    assert.ok(!('unavailable' in own), 'a second private Secret Service starts');
    const env = { ...own.env, OSMO_CREDENTIAL_STORE: undefined };
    const { dir, osmo } = await keychainLogin(env, 'keychain-stopped');
    assert.equal(servers(dir)[server().url]?.store, 'keychain');
    await own.stop();
    const res = await osmo(['logout', server().url]);
    assertCleanFailure(res, { code: 2, message: /, but its secrets are still in the keychain \(the keychain is unavailable: no Secret Service answered/ });
    assert.match(res.stderr, /secret-tool clear service osmo-cli username /);
  });

  it('a login that fell back to the file notes the keychain item it could not remove, and logout does not claim success while it remains', async (t) => {
    const env = keychainEnv(t);
    if (!env) return;
    const { dir, osmo } = await keychainLogin(env, 'keychain-then-ssh');
    // Later, over SSH without D-Bus: the new login goes to the file, the old item cannot be reached.
    const ssh = { DBUS_SESSION_BUS_ADDRESS: undefined };
    const again = await osmo(['login', server().url, '--method', 'token', '--token-file', patFile(server().issuePat('user@example.com', 'over-ssh'))], { env: ssh });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stderr.includes(`Note: the secrets of your earlier login to ${server().url} are still in the keychain (the keychain is unavailable: no D-Bus session`), again.stderr);
    assert.deepEqual(servers(dir)[server().url], { ...servers(dir)[server().url], store: 'file', staleKeychainItem: true });

    const out = await osmo(['logout'], { env: ssh });
    assertCleanFailure(out, { code: 2, message: /, but its secrets are still in the keychain \(the keychain is unavailable: no D-Bus session/ });
    assert.match(await secretToolSearch(env), /service = osmo-cli/);

    // Where the keychain answers, --all finds the item no login names any more.
    const all = await osmo(['logout', '--all']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, `Successfully logged out of ${server().url}.\n`);
    assert.doesNotMatch(await secretToolSearch(env), /osmo-cli/);
  });
});
