// Token commands and the JWT cache, run in-process (test/helpers/in-process.ts):
// main() with captured IO against the local server over real HTTP. The
// process-level paths of these commands (bin/osmo, exit codes as a shell
// sees them) are covered by the other suites, which run the binary.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { EXCHANGE, LIST, futureDate, tokenLogin, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { tempDir } from './helpers/cli.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';

const clock = new TestClock();
const server = useServer({ now: clock.now });
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser(clock);

describe('the seed page workflow, end to end', () => {
  it('dev login, token set, token login from a file, list, roles, delete', async () => {
    const { osmo } = newUser();
    const login = await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, `Logging in to ${server().url}\nSuccessfully logged in. Welcome user@example.com.\n`);

    const set = await osmo(['token', 'set', 'my-token', '--expires-at', futureDate(40), '--description', 'My automation token']);
    assert.equal(set.code, 0, set.stderr);
    // The note goes to stderr, so stdout holds only the token line (a terminal shows both, as the seed page does).
    assert.equal(set.stderr, 'Note: Save the token in a secure location as it will not be shown again\n');
    const match = /^Access token: (\S+)\n$/.exec(set.stdout);
    assert.ok(match, set.stdout);
    const pat = match[1]!;

    const file = `${tempDir()}/osmo-token`;
    writeFileSync(file, `${pat}\n`, { mode: 0o600 });
    const tokenLogin = await osmo(['login', server().url, '--method=token', `--token-file=${file}`]);
    assert.equal(tokenLogin.code, 0, tokenLogin.stderr);
    assert.match(tokenLogin.stdout, /Successfully logged in\. Welcome user@example\.com\.\n$/);

    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^\+-+\+-+\+-+\+-+\+$/);
    assert.match(lines[1]!, /^\| Name +\| Description +\| Active \| Expires At \(UTC\) \|$/);
    assert.match(list.stdout, new RegExp(`\\| my-token +\\| My automation token +\\| Active \\| ${futureDate(40)} +\\|`));

    const roles = await osmo(['token', 'roles', 'my-token']);
    assert.equal(roles.code, 0, roles.stderr);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(
      roles.stdout,
      `Token: my-token\nOwner: user@example.com\n\nRoles:\n  - osmo-user (assigned by user@example.com on ${today})\n  - osmo-ml-team (assigned by user@example.com on ${today})\n`,
    );

    const del = await osmo(['token', 'delete', 'my-token']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'Access token my-token deleted\n');
  });

  it('says "No tokens found" for an empty list', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'nobody@example.com']);
    const list = await osmo(['token', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'No tokens found\n');
  });
});

describe('token login', () => {
  it('reads the PAT from --token-stdin and from a pipe, trimming white space', async () => {
    for (const args of [['--token-stdin'], []]) {
      const { osmo } = newUser();
      const pat = server().issuePat('user@example.com', `stdin${args.length}`);
      const res = await osmo(['login', server().url, '--method', 'token', ...args], { input: `  ${pat}\r\n\n` });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /Welcome user@example\.com\./);
      assert.equal((await osmo(['token', 'list'])).code, 0);
    }
  });

  it('accepts --token, and a later login without a URL reuses the last server', async () => {
    const { osmo } = newUser();
    const pat = server().issuePat('user@example.com', 'argv-token');
    assert.equal((await osmo(['login', server().url, '--method', 'token', '--token', pat])).code, 0);
    const again = await osmo(['login', '--method', 'token', '--token', pat]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^Logging in to ${server().url}\n`));
  });

  it('an invalid PAT exits 2 with the service message and stores nothing', async () => {
    const { osmo, dir } = newUser();
    const res = await osmo(['login', server().url, '--method', 'token', '--token', 'not-a-real-token']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Error: Access Token is invalid \(--token held 16 characters\)\n/m);
    const { readdirSync } = await import('node:fs');
    assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.lock')), []);
  });

  it('an expired PAT exits 2 with "Access Token has expired"', async () => {
    const { osmo } = newUser();
    const pat = server().issuePat('user@example.com', 'old-token', { expiresAt: '2020-01-01' });
    const res = await osmo(['login', server().url, '--method', 'token', '--token', pat]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /Access Token has expired/);
  });
});

describe('JSON output', () => {
  it('token set, list and roles print JSON that parses', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const set = await osmo(['token', 'set', 'json-token', '-e', futureDate(10), '-d', 'json', '-r', 'osmo-user', '-t', 'json']);
    assert.equal(set.code, 0, set.stderr);
    const created = JSON.parse(set.stdout) as { token: string };
    assert.equal(typeof created.token, 'string');
    assert.deepEqual(Object.keys(created), ['token']);

    const list = JSON.parse((await osmo(['token', 'list', '--format-type', 'json'])).stdout) as Array<Record<string, unknown>>;
    const mine = list.find((t) => t.token_name === 'json-token');
    assert.deepEqual(mine, { user_name: 'user@example.com', token_name: 'json-token', expires_at: `${futureDate(10)}T00:00:00`, description: 'json', roles: ['osmo-user'] });

    const roles = JSON.parse((await osmo(['token', 'roles', 'json-token', '-t', 'json'])).stdout) as { roles: Array<{ role_name: string }> };
    assert.deepEqual(roles.roles.map((r) => r.role_name), ['osmo-user']);
  });

  it('errors with -t json are one JSON object on stderr', async () => {
    const { osmo } = newUser();
    const res = await osmo(['token', 'list', '-t', 'json']);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    const err = JSON.parse(res.stderr) as { message: string; code: number };
    assert.equal(err.code, 2);
    assert.match(err.message, /not logged in/);
  });
});

describe('token set options', () => {
  it('repeated -r roles and the default expiry of today + 31 days', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const set = await osmo(['token', 'set', 'roles-token', '-r', 'osmo-user', '-r', 'osmo-ml-team']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /\nRoles: osmo-user, osmo-ml-team\n$/);
    const req = server().requests.filter((r) => r.path === '/api/auth/access_token/roles-token').at(-1)!;
    const query = new URLSearchParams(req.query);
    assert.deepEqual(query.getAll('roles'), ['osmo-user', 'osmo-ml-team']);
    assert.equal(query.get('expires_at'), futureDate(31));
    assert.equal(req.body, '');
  });
});

describe('admin forms', () => {
  it('an admin creates, lists and deletes tokens for another user', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'admin@example.com']);
    const set = await osmo(['token', 'set', 'for-user', '-u', 'user@example.com', '-r', 'osmo-user']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /\nCreated for user: user@example\.com\nRoles: osmo-user\n$/);
    const list = await osmo(['token', 'list', '--user', 'user@example.com']);
    assert.match(list.stdout, /for-user/);
    const del = await osmo(['token', 'delete', 'for-user', '-u', 'user@example.com']);
    assert.equal(del.stdout, 'Access token for-user deleted for user user@example.com\n');
    const empty = await osmo(['token', 'list', '-u', 'nobody@example.com']);
    assert.equal(empty.stdout, 'No tokens found for user nobody@example.com\n');
  });

  it('a non-admin gets the gateway 403 as exit 2', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    const res = await osmo(['token', 'list', '-u', 'admin@example.com']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /access denied \(HTTP 403\)/);
  });
});

describe('errors', () => {
  it('a 400 from the service exits 2 with its message', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    assert.equal((await osmo(['token', 'set', 'dup-token'])).code, 0);
    const res = await osmo(['token', 'set', 'dup-token']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^Error: Access token dup-token already exists\n/);
  });

  it('local validation errors exit 2 and send no request', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    server().resetCounts();
    for (const args of [
      ['token', 'set', '9bad'],
      ['token', 'set', 'ok', '--expires-at', '2027-02-30'],
      ['token', 'set', 'ok', '--expires-at', '2020-01-01'],
      ['token', 'roles', 'a-'],
      ['token', 'delete', 'bad name'],
    ]) {
      const res = await osmo(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, /^Error: /);
      assert.doesNotMatch(res.stderr, /\n\s+at /);
    }
    assert.equal(server().count(), 0);
  });

  it('a 5xx HTML page exits 10 with a short message', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    server().fault({ route: `${LIST}`, status: 500, body: '<html><body><h1>500 Internal Server Error</h1>nginx</body></html>', contentType: 'text/html', times: 1 });
    const res = await osmo(['token', 'list']);
    assert.equal(res.code, 10);
    assert.match(res.stderr, /^Error: the server failed to list tokens \(HTTP 500\)/);
    assert.doesNotMatch(res.stderr, /<html>/);
  });

  it('a refused connection exits 10 without a stack trace', async () => {
    const { osmo } = newUser();
    const res = await osmo(['login', 'http://127.0.0.1:9', '--method', 'token', '--token', 'x'.repeat(43)]);
    assert.equal(res.code, 10);
    assert.match(res.stderr, /connection refused/);
    assert.doesNotMatch(res.stderr, /\n\s+at /);
  });

  it('a 429 exits 75', async () => {
    const { osmo } = newUser();
    await osmo(['login', server().url, '--method', 'dev', '--username', 'user@example.com']);
    server().fault({ route: LIST, status: 429, body: '{"message":"Too many requests","error_code":"USER","workflow_id":null}', contentType: 'application/json', headers: { 'retry-after': '7' } });
    const res = await osmo(['token', 'list']);
    assert.equal(res.code, 75);
    assert.match(res.stderr, /too many requests \(HTTP 429\); retry after 7 s/);
  });
});

describe('the JWT cache', () => {
  it('five commands after a token login cause no further exchange', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'reuse-token');
    const before = server().count(EXCHANGE);
    for (let i = 0; i < 5; i++) assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal(server().count(EXCHANGE), before);
  });

  it('a warm command sends exactly one request', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'one-request');
    server().resetCounts();
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.deepEqual(server().requests.map((r) => `${r.method} ${r.path}`), [LIST]);
  });

  it('after the JWT nears expiry, the next command exchanges exactly once', async () => {
    const { osmo } = newUser();
    await withJwtLifetime(server(), 33, async () => { // fresh for 3 s: the client renews 30 s early
      await tokenLogin(server(), osmo, 'user@example.com', 'renew-token');
      clock.advance(3500); // for osmo and the server alike
      const before = server().count(EXCHANGE);
      assert.equal((await osmo(['token', 'list'])).code, 0);
      assert.equal(server().count(EXCHANGE), before + 1);
      assert.equal((await osmo(['token', 'list'])).code, 0);
      assert.equal(server().count(EXCHANGE), before + 1);
    });
  });
});
