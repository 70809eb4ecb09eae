// Bare answers from the service, with what to do next added: a 403 for -u
// and a token name that is taken. In-process through main() (test/helpers/in-process.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { futureDate, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser as newUser } from './helpers/in-process.js';
import { assertCleanFailure } from './helpers/assert-cli.js';

const server = useServer();

describe('hints on service errors', () => {
  it('a 403 with -u says that acting for another user needs the osmo-admin role', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'plain@example.com', 'plain-token');
    for (const args of [['token', 'list', '-u', 'admin@example.com'], ['token', 'delete', 'x', '-u', 'admin@example.com'], ['token', 'set', 'x', '-u', 'admin@example.com']]) {
      const res = await osmo(args);
      assertCleanFailure(res, { code: 2, message: /access denied \(HTTP 403\)/ });
      assert.match(res.stderr, /\n {2}acting for another user \(-u\/--user\) needs the osmo-admin role; leave out -u for your own tokens\n/, args.join(' '));
    }
  });

  it('a taken name at token set names `osmo token rotate NAME` and --new-name', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'taken@example.com', 'taken-token');
    const first = await osmo(['token', 'set', 'laptop', '-e', futureDate(10)]);
    assert.equal(first.code, 0, first.stderr);
    const again = await osmo(['token', 'set', 'laptop', '-e', futureDate(10)]);
    assertCleanFailure(again, { code: 2, message: /already exists/ });
    assert.match(again.stderr, /\n {2}`osmo token rotate laptop` replaces it with a new token \(add --new-name NEW to give that one another name\); or choose another name\n/);
  });
});
