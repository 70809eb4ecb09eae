// OSMO_DEBUG: `1` and `true` mean the same everywhere: for the code-cache log
// of the launcher, the request log, and the stack trace of an error that
// comes before any request (src/debug-env.ts is the one reader in src/).
// The launcher's log is only in a process, so these run the real bin/osmo
// (in-process would add loading src/ to fewer processes than it saves); the
// cases share nothing but the server and run side by side.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { debugFromEnv } from '../src/debug-env.js';
import { newUser, useServer } from './helpers/fixtures.js';

const launcher = createRequire(import.meta.url)('../bin/run-bundle.js') as { debugFromEnv(env: NodeJS.ProcessEnv): boolean };
const server = useServer();

const ON = ['1', 'true', 'TRUE', 'True', ' true '];
const OFF = [undefined, '', '0', 'false', 'yes', 'on', '2', 'debug'];

describe('OSMO_DEBUG', { concurrency: true }, () => {
  it('one rule: 1 and true (any case) turn it on, everything else leaves it off, in src/ and in the launcher alike', () => {
    for (const value of [...ON, ...OFF]) {
      const expected = ON.includes(value as string);
      assert.equal(debugFromEnv({ OSMO_DEBUG: value }), expected, `src: ${JSON.stringify(value)}`);
      assert.equal(launcher.debugFromEnv({ OSMO_DEBUG: value }), expected, `bin/run-bundle.js: ${JSON.stringify(value)}`);
    }
  });

  for (const value of ['1', 'true', 'TRUE']) {
    it(`OSMO_DEBUG=${value}: the launcher's log, the request log, and the stack of an error found before any request`, async () => {
      const { osmo } = newUser();
      const bad = await osmo(['token', 'set', '9bad'], { env: { OSMO_DEBUG: value } });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^\[debug\] code cache: /m);
      assert.match(bad.stderr, /^Error: invalid token name "9bad"/m);
      assert.match(bad.stderr, /\n\s+at /, 'the stack trace is printed');

      const login = await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com'], { env: { OSMO_DEBUG: value } });
      assert.equal(login.code, 0, login.stderr);
      assert.match(login.stderr, /^\[debug\] < 200 GET http:\/\/127\.0\.0\.1:\d+\/api\/auth\/\S+ in \d+ ms$/m);
    });
  }

  it('OSMO_DEBUG=0: no log and no stack', async () => {
    const { osmo } = newUser();
    const bad = await osmo(['token', 'set', '9bad'], { env: { OSMO_DEBUG: '0' } });
    assert.equal(bad.code, 2);
    assert.doesNotMatch(bad.stderr, /\[debug\]|\n\s+at /);
  });
});
