// Issue 19, finding 6: an identity provider that rotates refresh tokens
// invalidates the old one the moment it answers. The new one is stored before
// anything else is done with it; if it cannot be, osmo says so and how to recover.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { useServer, withJwtLifetime } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { until } from './helpers/wait.js';

// In-process: the JWT is aged on the clock the server shares, and the
// provider's answer is held until the test has broken the store.
const clock = new TestClock();
const server = useServer({ now: clock.now });
const TOKEN = 'POST /oauth/token';

describe('a rotated refresh token that cannot be stored', () => {
  it('fails the command (exit 2), says the login needs a new sign-in and how', async () => {
    const { osmo, dir } = inProcessUser(clock);
    server().oauth.setPassword('rot@example.com', 'pw');
    await withJwtLifetime(server(), 31, async () => {
      const login = await osmo(['login', server().url, '--method', 'password', '--username', 'rot@example.com', '--password-stdin'], { input: 'pw\n' });
      assert.equal(login.code, 0, login.stderr);
    });
    // Past the 30 s margin: the next command refreshes.
    clock.advance(1500);
    const credentials = `${dir}/credentials.json`;
    const { refreshToken } = (JSON.parse(readFileSync(credentials, 'utf8')) as { accounts: Record<string, { refreshToken: string }> }).accounts[server().url]!;
    // While the provider answers, credentials.json becomes something no store can write.
    let answer = (): void => {};
    server().fault({ route: TOKEN, hold: new Promise<void>((resolve) => (answer = resolve)) });
    const tokenCalls = server().count(TOKEN);
    const run = osmo(['token', 'list']);
    await until('the refresh request', () => server().count(TOKEN) > tokenCalls);
    rmSync(credentials);
    mkdirSync(credentials, { mode: 0o700 });
    answer();
    const res = await run;
    assertCleanFailure(res, { code: 2, message: /^the identity provider replaced the refresh token of the password login for \S+, but the new one could not be stored \(.+\); the stored one no longer works$/ });
    assert.match(res.stderr, /\n {2}fix that, then run `osmo login \S+ --method password --username rot@example\.com --password-file FILE` again\n$/);
    assert.equal(server().oauth.refreshTokenActive(refreshToken), false, 'the provider rotated it');
  });
});
