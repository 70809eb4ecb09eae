import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer } from './server/osmo-server.js';
import { EXCHANGE, LIST, newUser, tokenLogin, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { runOsmo, tempDir } from './helpers/cli.js';
import { inProcessUser, runInProcess } from './helpers/in-process.js';

const server = useServer();

// The 16 processes run beside the rest, which is osmo in-process, one
// command at a time: the session logic does not need a process of its own,
// and in-process runs share this process's module state. CI mode keeps one
// case through bin/osmo: the environment as the real binary reads it.
describe('sessions', { concurrency: true }, () => {
  describe('many processes sharing one login', () => {
    // A service that takes as long as a real one to exchange (about 0.5 s), so
    // the other 15 processes really wait on the lock while one renews.
    const slow = useServer({ exchangeDelayMs: 500 });

    it('16 parallel commands after the JWT expired cause exactly one exchange, however slow the exchange', async () => {
      const { osmo } = newUser();
      await withJwtLifetime(slow(), 20, async () => { // stale for the client (30 s margin) at once: no need to wait
        await tokenLogin(slow(), osmo, 'user@example.com', 'stampede');
      });
      const before = slow().count(EXCHANGE);
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 16 }, () => osmo(['token', 'list'])));
      for (const res of results) assert.equal(res.code, 0, res.stderr);
      const exchanges = slow().count(EXCHANGE) - before;
      console.log(`# exchanges for 16 parallel commands after expiry: ${exchanges} (${Math.round(performance.now() - started)} ms, exchange 500 ms)`);
      assert.equal(exchanges, 1);
    });
  });

  describe('one user at a time', { concurrency: 1 }, () => {
    describe('401 recovery', () => {
      it('after the service rotates its keys, one exchange and one retry make the call succeed', async () => {
        const { osmo } = inProcessUser();
        await tokenLogin(server(), osmo, 'user@example.com', 'rotate');
        server().rotateSigningKey();
        const before = server().count(EXCHANGE);
        const listsBefore = server().count(LIST);
        const res = await osmo(['token', 'list']);
        assert.equal(res.code, 0, res.stderr);
        assert.equal(server().count(EXCHANGE), before + 1);
        assert.equal(server().count(LIST), listsBefore + 2);
      });

      it('a second 401 is an error that says to log in again', async () => {
        const { osmo } = inProcessUser();
        await tokenLogin(server(), osmo, 'user@example.com', 'revoked');
        server().fault({ route: LIST, status: 401, body: 'Jwt verification fails', contentType: 'text/plain', times: 2 });
        const res = await osmo(['token', 'list']);
        assert.equal(res.code, 2);
        assert.match(res.stderr, /refused the credential from the stored token login for http:\/\/127\.0\.0\.1:\d+: Jwt verification fails \(HTTP 401\)/);
        assert.match(res.stderr, /run `osmo login http:\/\/127\.0\.0\.1:\d+ --method token` again/);
      });
    });

    describe('a JWT refused even after a renewal', () => {
      it('is dropped from the store: the next command renews instead of sending it again', async () => {
        const { osmo, dir } = inProcessUser();
        const pat = await tokenLogin(server(), osmo, 'user@example.com', 'refused-twice');
        server().fault({ route: LIST, status: 401, body: 'Jwt verification fails', contentType: 'text/plain', times: 2 });
        const exchanges = server().count(EXCHANGE);
        assert.equal((await osmo(['token', 'list'])).code, 2);
        assert.equal(server().count(EXCHANGE), exchanges + 1, 'one renewal after the first 401');
        const stored = (JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, { pat?: string; jwt?: string }> }).accounts[server().url];
        assert.equal(stored?.pat, pat, 'the PAT stays');
        assert.equal(stored?.jwt, undefined, 'the refused JWT is gone');

        const listsBefore = server().count(LIST);
        const res = await osmo(['token', 'list']);
        assert.equal(res.code, 0, res.stderr);
        assert.equal(server().count(EXCHANGE), exchanges + 2, 'the next command renewed');
        assert.equal(server().count(LIST), listsBefore + 1);
      });
    });

    describe('CI mode: OSMO_URL with OSMO_TOKEN', () => {
      it('authenticates without a stored login and writes nothing', async () => {
        const pat = server().issuePat('user@example.com', 'ci-env');
        const dir = join(tempDir(), 'never-created');
        const env = { OSMO_URL: `${server().url}/`, OSMO_TOKEN: pat };
        for (let i = 0; i < 2; i++) {
          const res = await runOsmo(['token', 'list'], dir, { env });
          assert.equal(res.code, 0, res.stderr);
          assert.match(res.stdout, /ci-env/);
        }
        assert.equal(existsSync(dir), false, 'the config directory must not be created');
      });

      it('a bad OSMO_TOKEN says the credential came from the environment', async () => {
        const dir = tempDir();
        const res = await runInProcess(['token', 'list'], dir, { env: { OSMO_URL: server().url, OSMO_TOKEN: 'stale-token-from-an-old-secret' } });
        assert.equal(res.code, 2);
        assert.match(res.stderr, /Access Token is invalid/);
        assert.deepEqual(readdirSync(dir), []);
      });
    });

    describe('OSMO_TOKEN refused by the gateway', () => {
      it('a 401 in CI mode names the environment and says how to fix it', async () => {
        const pat = server().issuePat('user@example.com', 'ci-env-401');
        server().fault({ route: LIST, status: 401, body: 'Jwt is expired', contentType: 'text/plain', times: 2 });
        const res = await runInProcess(['token', 'list'], tempDir(), { env: { OSMO_URL: server().url, OSMO_TOKEN: pat } });
        assert.equal(res.code, 2);
        assert.match(res.stderr, /^Error: the service refused the credential from OSMO_TOKEN in the environment: Jwt is expired \(HTTP 401\)\n {2}set OSMO_TOKEN to a valid personal access token, or unset it to use your stored login\n$/);
      });
    });

    describe('several servers', () => {
      it('keeps each server\'s login and switches back with `osmo login URL`', async () => {
        const other = await startOsmoServer();
        try {
          const { osmo, dir } = inProcessUser();
          await tokenLogin(server(), osmo, 'user@example.com', 'first-server');
          await tokenLogin(other, osmo, 'admin@example.com', 'second-server');
          assert.match((await osmo(['token', 'list'])).stdout, /second-server/);

          const back = await osmo(['login', server().url]);
          assert.equal(back.code, 0, back.stderr);
          assert.equal(back.stdout, `Switched to ${server().url} (token login as user@example.com)\n`);
          const exchanges = server().count(EXCHANGE);
          const list = await osmo(['token', 'list']);
          assert.match(list.stdout, /first-server/);
          assert.equal(server().count(EXCHANGE), exchanges, 'the first server\'s JWT is still cached');

          const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, unknown> };
          assert.deepEqual(Object.keys(creds.accounts).sort(), [server().url, other.url].sort());

          // The one login left becomes current (issue 18), as gh does.
          const out = await osmo(['logout']);
          assert.equal(out.stdout, `Successfully logged out of ${server().url}.\nSwitched to ${other.url} (token login as admin@example.com)\n`);
          const after = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, unknown> };
          assert.deepEqual(Object.keys(after.accounts), [other.url]);
          assert.match((await osmo(['token', 'list'])).stdout, /second-server/);
          assert.equal((await osmo(['logout'])).code, 0);
          const again = await osmo(['logout']);
          assert.equal(again.code, 0, 'nothing to log out of is done, not a failure');
          assert.match(again.stderr, /^Note: you are not logged in to http:\S+; there is nothing to log out of\n/);
        } finally {
          await other.close();
        }
      });
    });

    describe('expiry awareness', () => {
      it('warns at login and on later commands when the PAT expires within 7 days, without extra requests', async () => {
        const { osmo } = inProcessUser();
        const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
        const pat = server().issuePat('user@example.com', 'expiring-soon', { expiresAt: soon });
        const login = await osmo(['login', server().url, '--method', 'token', '--token', pat]);
        assert.equal(login.code, 0, login.stderr);
        const warning = new RegExp(`^Warning: the access token expiring-soon behind this login expires on ${soon} \\(in 3 days\\); rotate it with \`osmo token rotate expiring-soon\``, 'm');
        assert.match(login.stderr, warning);

        server().resetCounts();
        const list = await osmo(['token', 'list']);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stderr, warning);
        assert.equal(server().count(), 1, 'the warning costs no request');
      });

      it('stays quiet for a PAT with more than 7 days left', async () => {
        const { osmo } = inProcessUser();
        await tokenLogin(server(), osmo, 'user@example.com', 'long-lived');
        const list = await osmo(['token', 'list']);
        assert.equal(list.code, 0);
        assert.equal(list.stderr, '');
      });
    });
  });
});
