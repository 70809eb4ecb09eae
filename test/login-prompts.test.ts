// A person at a terminal is asked for what is missing, after
// `Logging in to URL`; a mistake in the flags is reported before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, useServer } from './helpers/fixtures.js';
import { OSMO_BIN, baseEnv } from './helpers/cli.js';
import { havePty, runInPty } from './helpers/pty.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { skipOrFail } from './helpers/unavailable.js';

const server = useServer();

describe('login prompts', () => {
  it('a password login in a terminal asks for the user name, then the password, after Logging in to URL', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    server().oauth.setPassword('svc-robot@example.com', 'correct horse');
    const { dir, osmo } = newUser();
    const res = await runInPty(`"${process.execPath}" "${OSMO_BIN}" login ${server().url} --method password`, baseEnv(dir), [
      { after: 'Username: ', send: 'svc-robot@example.com\r' },
      { after: 'Password: ', send: 'correct horse\r' },
    ]);
    assert.equal(res.code, 0, res.output);
    const out = res.output.replace(/\r\n/g, '\n');
    assert.match(out, new RegExp(`^Logging in to ${server().url}\\nUsername: svc-robot@example\\.com\\nPassword: \\n`), out);
    assert.match(out, /Successfully logged in\./);
    assert.doesNotMatch(out, /correct horse/, 'the password is not echoed');
    assert.match((await osmo(['whoami'])).stdout, /svc-robot@example\.com/);
  });

  it('the token prompt comes after Logging in to URL', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const { dir } = newUser();
    const pat = server().issuePat('prompted@example.com', 'prompted');
    const res = await runInPty(`"${process.execPath}" "${OSMO_BIN}" login ${server().url} --method token`, baseEnv(dir), [{ after: 'Access token: ', send: `${pat}\r` }]);
    assert.equal(res.code, 0, res.output);
    assert.match(res.output.replace(/\r\n/g, '\n'), new RegExp(`^Logging in to ${server().url}\\nAccess token: \\n`));
  });

  it('usage errors come before Logging in to URL, and nothing is sent', async () => {
    const { osmo } = newUser();
    const before = server().requests.length;
    for (const args of [['--method', 'password'], ['--method', 'password', '--password-stdin'], ['--method', 'dev']]) {
      const res = await osmo(['login', server().url, ...args]);
      assertCleanFailure(res, { code: 2, message: /needs --username/ });
      assert.equal(res.stdout, '', args.join(' '));
    }
    const pkce = await osmo(['login', server().url, '--method', 'pkce'], { env: { OSMO_LOGIN_TIMEOUT: 'soon' } });
    assertCleanFailure(pkce, { code: 2, message: /^OSMO_LOGIN_TIMEOUT must be/ });
    assert.equal(pkce.stdout, '');
    assert.equal(server().requests.length, before);
  });
});
