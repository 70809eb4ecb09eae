// A keychain login in-process: osmo opens its stores only through the wiring
// (src/context.ts), so the test hands in an in-memory keychain and sees what
// lands there, and that no file holds it. The OS keychain itself, over D-Bus,
// is tested through bin/osmo in test/keychain.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTree } from './helpers/cli.js';
import { EXCHANGE, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { MemoryKeychain } from './helpers/memory-keychain.js';

const clock = new TestClock();
const server = useServer({ now: clock.now });

function storeOf(dir: string, url: string): string | undefined {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers: Record<string, { store?: string }> };
  return config.servers[url]?.store;
}

describe('a keychain login, in-process with an in-memory keychain', () => {
  it('keeps the PAT and JWT in the keychain and in no file; commands read them there; logout removes them', async () => {
    const keychain = new MemoryKeychain();
    // No OSMO_CREDENTIAL_STORE: the login picks the keychain because it answers.
    const { dir, osmo } = inProcessUser(clock, { OSMO_CREDENTIAL_STORE: undefined }, { keychain });
    const pat = await tokenLogin(server(), osmo, 'user@example.com', 'memory-keychain');
    assert.equal(storeOf(dir, server().url), 'keychain');
    const item = await keychain.get(server().url);
    assert.equal(item?.pat, pat, 'the PAT is in the keychain');
    assert.match(item?.jwt ?? '', /^eyJ/, 'the JWT is in the keychain');
    assert.deepEqual(await keychain.accounts(), [server().url], 'only the login: the write probe cleaned up after itself');
    assert.ok(!existsSync(join(dir, 'credentials.json')), 'no credentials.json');
    const files = readTree(dir);
    assert.ok(!files.includes(pat), 'the PAT is in a file');
    assert.ok(!files.includes(item!.jwt!), 'the JWT is in a file');

    // A later command takes the JWT from the keychain: no new exchange.
    const before = server().count(EXCHANGE);
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /memory-keychain/);
    assert.equal(server().count(EXCHANGE), before);

    const out = await osmo(['logout']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await keychain.accounts(), []);
  });

  it('a login that moves from the file to the keychain leaves no copy in credentials.json', async () => {
    const keychain = new MemoryKeychain();
    const { dir, osmo } = inProcessUser(clock, {}, { keychain });
    const first = await tokenLogin(server(), osmo, 'user@example.com', 'in-the-file');
    assert.equal(storeOf(dir, server().url), 'file');
    assert.ok(readFileSync(join(dir, 'credentials.json'), 'utf8').includes(first));
    assert.deepEqual(await keychain.accounts(), [], 'OSMO_CREDENTIAL_STORE=file keeps the keychain out of it');

    const second = await tokenLogin(server(), (args) => osmo(args, { env: { OSMO_CREDENTIAL_STORE: 'keychain' } }), 'user@example.com', 'in-the-keychain');
    assert.equal(storeOf(dir, server().url), 'keychain');
    assert.equal((await keychain.get(server().url))?.pat, second);
    const files = readTree(dir);
    assert.ok(!files.includes(first) && !files.includes(second), 'a PAT is left in a file');
  });

  it('logout --all finds a secret that only the keychain holds', async () => {
    const keychain = new MemoryKeychain();
    await keychain.set('https://forgotten.example.com', { pat: 'left-behind' });
    const { osmo } = inProcessUser(clock, { OSMO_CREDENTIAL_STORE: 'keychain' }, { keychain });
    await tokenLogin(server(), osmo);
    const out = await osmo(['logout', '--all']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await keychain.accounts(), []);
  });
});
