// `osmo token rotate`, end to end against the local server: in place and to a
// new name, for the token behind the current login and for another one, by
// an admin, and every way it can fail half-way. In-process
// (test/helpers/in-process.ts), except Ctrl-C between the delete and the
// create, which signals a real bin/osmo.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { EXCHANGE, futureDate, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { OSMO_BIN, baseEnv, readTree, tempDir, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { until } from './helpers/wait.js';
import type { OsmoServer } from './server/osmo-server.js';
import { terminalSafe } from '../src/util/display-text.js';

const clock = new TestClock();
const server = useServer({ now: clock.now });
const newUser = (env: Record<string, string> = {}): ReturnType<typeof inProcessUser> => inProcessUser(clock, env);
const USER = 'user@example.com';

interface Listed {
  token_name: string;
  description: string;
  expires_at: string;
  roles: string[];
}

async function listed(osmo: (args: string[]) => Promise<RunResult>, ...args: string[]): Promise<Listed[]> {
  const res = await osmo(['token', 'list', '-t', 'json', ...args]);
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout) as Listed[];
}

/** Whether the service still takes a PAT, asked the way `osmo login` asks. */
async function patWorks(pat: string): Promise<boolean> {
  const res = await fetch(`${server().url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }) });
  return res.status === 200;
}

/** Token API requests since the last reset, as 'METHOD /path'. */
function tokenRequests(srv: OsmoServer): string[] {
  return srv.requests.map((r) => `${r.method} ${r.path}`);
}

async function devLogin(osmo: (args: string[]) => Promise<RunResult>, user = USER): Promise<void> {
  assert.equal((await osmo(['login', server().url, '--method', 'dev', '--username', user])).code, 0);
}

describe('token rotate', () => {
  it('in place: same roles and description, new expiry, the old PAT stops working', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    const old = server().issuePat(USER, 'nightly', { roles: ['osmo-ml-team'], description: 'Nightly build', expiresAt: futureDate(3) });
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'nightly', '--expires-in', '12w']);
    assert.equal(res.code, 0, res.stderr);
    const expires = futureDate(84);
    const pat = /^Access token: (\S+)\n/.exec(res.stdout)?.[1];
    assert.ok(pat, res.stdout);
    assert.equal(res.stdout, `Access token: ${pat}\nOld access token nightly deleted; the new one expires on ${expires} (UTC)\n`);
    assert.equal(res.stderr, 'Note: Save the token in a secure location as it will not be shown again\n');
    // Everything was read before the delete; the create came after it.
    const seen = tokenRequests(server());
    assert.deepEqual(seen.slice(0, 2).sort(), ['GET /api/auth/access_token', 'GET /api/auth/access_token/nightly/roles']);
    assert.deepEqual(seen.slice(2), ['DELETE /api/auth/access_token/nightly', 'POST /api/auth/access_token/nightly']);
    const query = new URLSearchParams(server().requests[3]!.query);
    assert.deepEqual(query.getAll('roles'), ['osmo-ml-team']);
    assert.equal(query.get('description'), 'Nightly build');
    assert.equal(query.get('expires_at'), expires);
    assert.equal(await patWorks(old), false);
    assert.equal(await patWorks(pat), true);
    const [token] = (await listed(osmo)).filter((t) => t.token_name === 'nightly');
    assert.deepEqual(token, { user_name: USER, token_name: 'nightly', description: 'Nightly build', expires_at: `${expires}T00:00:00`, roles: ['osmo-ml-team'] });
  });

  it('to a new name: the new token exists before the old one is deleted', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    const old = server().issuePat(USER, 'deploy', { roles: ['osmo-user'], description: 'Deploys' });
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'deploy', '--new-name', 'deploy-2', '-e', futureDate(60), '-t', 'json']);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['token', 'token_name', 'expires_at', 'deleted']);
    assert.deepEqual({ ...out, token: typeof out.token }, { token: 'string', token_name: 'deploy-2', expires_at: futureDate(60), deleted: 'deploy' });
    assert.equal(res.stderr, '', 'JSON output: no note');
    assert.deepEqual(tokenRequests(server()).slice(2), ['POST /api/auth/access_token/deploy-2', 'DELETE /api/auth/access_token/deploy']);
    assert.equal(await patWorks(old), false);
    assert.equal(await patWorks(out.token as string), true);
    const names = (await listed(osmo)).map((t) => t.token_name);
    assert.ok(names.includes('deploy-2') && !names.includes('deploy'), names.join());
  });

  it('another token than the one behind the login: the login is left alone', async () => {
    const { osmo, dir } = newUser();
    const loginPat = await tokenLogin(server(), osmo, USER, 'rotate-login');
    server().issuePat(USER, 'rotate-other', { roles: ['osmo-user'] });
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'rotate-other']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(server().count(EXCHANGE), 0);
    assert.doesNotMatch(res.stderr, /now uses/);
    assert.ok(readTree(dir).includes(loginPat), 'the stored PAT is unchanged');
  });

  for (const newName of [undefined, 'ci-main-2']) {
    it(`the token behind the current login${newName ? ', to a new name' : ''}: the login switches with one exchange`, async () => {
      const { osmo, dir } = newUser();
      const name = newName ? 'ci-main' : 'ci-login';
      const oldPat = await tokenLogin(server(), osmo, USER, name);
      const file = `${tempDir()}/token`;
      server().resetCounts();
      const res = await osmo(['token', 'rotate', name, ...(newName ? ['--new-name', newName] : []), '--output-file', file]);
      assert.equal(res.code, 0, res.stderr);
      const newPat = readFileSync(file, 'utf8').trim();
      assert.equal(server().count(EXCHANGE), 1, 'one exchange');
      assert.match(res.stderr, new RegExp(`^The login for ${server().url} now uses the new access token ${newName ?? name}\n$`));
      if (newName) {
        // The login moved to the new token before the old one went away.
        const seen = tokenRequests(server());
        assert.ok(seen.indexOf(EXCHANGE) < seen.indexOf(`DELETE /api/auth/access_token/${name}`), seen.join('\n'));
      }
      const stored = readTree(dir);
      assert.ok(stored.includes(newPat) && !stored.includes(oldPat), 'the stored PAT is the new one');
      // Force a renewal: only the new PAT can be exchanged now.
      server().rotateSigningKey();
      server().resetCounts();
      const list = await osmo(['token', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(server().count(EXCHANGE), 1);
      const who = await osmo(['whoami']);
      assert.match(who.stdout, new RegExp(`\\nAccess token: +${newName ?? name}, expires ${futureDate(31)}`));
    });
  }

  it('with OSMO_TOKEN holding the rotated token: warns that the variable is now stale', async () => {
    const pat = server().issuePat(USER, 'env-rotated', { roles: ['osmo-user'] });
    const { osmo } = newUser({ OSMO_URL: server().url, OSMO_TOKEN: pat });
    const res = await osmo(['token', 'rotate', 'env-rotated', '--new-name', 'env-rotated-2']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /\nWarning: OSMO_TOKEN held the access token env-rotated, which was deleted: put the new token in its place\n$/);
  });

  it('an admin rotates another user\'s token with -u', async () => {
    const { osmo } = newUser();
    await devLogin(osmo, 'admin@example.com');
    server().issuePat(USER, 'svc', { roles: ['osmo-user'], description: 'Service account', assignedBy: 'admin@example.com' });
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'svc', '-u', USER, '--new-name', 'svc-2']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Access token: \S+\nOld access token svc deleted for user user@example\.com; the new one, svc-2, expires on /);
    // The list is the only place the service shows another user's roles.
    assert.deepEqual(tokenRequests(server()), [
      'GET /api/auth/user/user%40example.com/access_token',
      'POST /api/auth/user/user%40example.com/access_token/svc-2',
      'DELETE /api/auth/user/user%40example.com/access_token/svc',
    ]);
    const [token] = (await listed(osmo, '-u', USER)).filter((t) => t.token_name.startsWith('svc'));
    assert.deepEqual([token?.token_name, token?.roles, token?.description], ['svc-2', ['osmo-user'], 'Service account']);
  });

  it('a create that fails after the delete prints the exact command that recreates the token', async () => {
    const { osmo, dir } = newUser();
    await devLogin(osmo);
    const description = 'It\'s "CI" for $HOME `now`\nsecond line\u202e';
    server().issuePat(USER, 'fragile', { roles: ['osmo-user', 'osmo-ml-team'], description });
    server().fault({ route: 'POST /api/auth/access_token/fragile', status: 500, times: 1 });
    const res = await osmo(['token', 'rotate', 'fragile', '--expires-in', '30d']);
    assertCleanFailure(res, { code: 10, message: /^fragile was deleted, but creating it again failed: the server failed to create the token \(HTTP 500\)$/ });
    assert.equal(res.stdout, '');
    const command = /\n {2}recreate it with: (osmo token set .*)\n/.exec(res.stderr)?.[1];
    assert.ok(command, res.stderr);
    assert.equal(terminalSafe(command), command, 'one harmless line');
    assert.equal((await listed(osmo)).some((t) => t.token_name === 'fragile'), false);

    // Pasted into a shell, it makes the token again exactly.
    const shell = spawn('bash', ['-c', `osmo() { "${process.execPath}" "${OSMO_BIN}" "$@"; }\n${command}`], { env: baseEnv(dir) });
    let out = '';
    shell.stdout.on('data', (d) => (out += d));
    shell.stderr.on('data', (d) => (out += d));
    assert.equal(await new Promise((resolve) => shell.on('close', resolve)), 0, out);
    const [token] = (await listed(osmo)).filter((t) => t.token_name === 'fragile');
    assert.deepEqual([token?.description, token?.roles, token?.expires_at], [description, ['osmo-user', 'osmo-ml-team'], `${futureDate(30)}T00:00:00`]);
  });

  it('Ctrl-C between the delete and the create still leaves the recreate command on the screen', async () => {
    const { osmo, dir } = newUser();
    await devLogin(osmo);
    server().issuePat(USER, 'interrupted', { roles: ['osmo-user'], description: 'Cut short' });
    const create = 'POST /api/auth/access_token/interrupted';
    server().fault({ route: create, delayMs: 20_000 });
    const child = spawn(process.execPath, [OSMO_BIN, 'token', 'rotate', 'interrupted', '-e', futureDate(9)], { env: baseEnv(dir) });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await until('the create request', () => server().count(create) > 0, { child: closed, detail: () => stderr });
    child.kill('SIGINT');
    // Ended by SIGINT itself (issue 10), so a shell around it stops too.
    assert.equal(await closed, 'SIGINT', stderr);
    assert.equal(
      stderr,
      `\nInterrupted\nError: stopped while interrupted was being replaced; if \`osmo token list\` no longer shows it, recreate it with: osmo token set interrupted --expires-at ${futureDate(9)} --description 'Cut short' -r osmo-user\n`,
    );
  });

  it('a failed create under a new name changes nothing', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    const old = server().issuePat(USER, 'keep-me', { roles: ['osmo-user'] });
    server().issuePat(USER, 'taken', { roles: ['osmo-user'] });
    const res = await osmo(['token', 'rotate', 'keep-me', '--new-name', 'taken']);
    assertCleanFailure(res, { code: 2, message: /^Access token taken already exists$/ });
    assert.equal(res.stdout, '');
    assert.equal(await patWorks(old), true);
  });

  it('a delete that fails after the create keeps the new token shown and names the command to finish', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    server().issuePat(USER, 'sticky', { roles: ['osmo-user'] });
    server().fault({ route: 'DELETE /api/auth/access_token/sticky', status: 500, times: 1 });
    const res = await osmo(['token', 'rotate', 'sticky', '--new-name', 'sticky-2', '-t', 'json']);
    assert.equal(res.code, 10, res.stderr);
    const out = JSON.parse(res.stdout) as { token: string; deleted: unknown };
    assert.equal(out.deleted, null);
    assert.equal(await patWorks(out.token), true);
    const err = JSON.parse(res.stderr) as { message: string; hint: string };
    assert.match(err.message, /^sticky-2 was created, but the old token sticky could not be deleted: the server failed to delete the token \(HTTP 500\)$/);
    assert.equal(err.hint, 'delete it with: osmo token delete sticky');
  });

  it('when the login cannot switch to the new token, the old one is kept and the new one is in the file', async () => {
    const { osmo } = newUser();
    const oldPat = await tokenLogin(server(), osmo, USER, 'switch-fails');
    const file = `${tempDir()}/token`;
    server().fault({ route: EXCHANGE, status: 500, times: 1 });
    const res = await osmo(['token', 'rotate', 'switch-fails', '--new-name', 'switch-fails-2', '--output-file', file]);
    assertCleanFailure(res, { code: 10, message: /^the login for \S+ could not switch to the new token: .*HTTP 500.*; switch-fails was kept$/ });
    assert.match(res.stderr, new RegExp(`\\n {2}log in with it: osmo login ${server().url} --method token --token-file ${file}\\n$`));
    assert.equal(await patWorks(oldPat), true);
    assert.equal(await patWorks(readFileSync(file, 'utf8').trim()), true);
  });

  it('refuses a token without roles: its replacement would get all of the user\'s roles', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    server().issuePat(USER, 'roleless', { roles: [] });
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'roleless']);
    assertCleanFailure(res, { code: 2, message: /^Access token roleless has no roles, and a new token without roles would get all of your roles$/ });
    assert.deepEqual(tokenRequests(server()).filter((r) => !r.startsWith('GET')), []);
  });

  it('a token that does not exist is an error before anything changes', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    server().resetCounts();
    const res = await osmo(['token', 'rotate', 'no-such-token', '--new-name', 'other']);
    assertCleanFailure(res, { code: 2, message: /^Access token no-such-token not found$/ });
    assert.deepEqual(tokenRequests(server()).filter((r) => !r.startsWith('GET')), []);
  });

  it('--output-file replaces the file a pipeline reads, atomically and with mode 0600', async () => {
    const { osmo } = newUser();
    await devLogin(osmo);
    server().issuePat(USER, 'pipeline', { roles: ['osmo-user'] });
    const file = `${tempDir()}/osmo-token`;
    const first = await osmo(['token', 'rotate', 'pipeline', '--output-file', file]);
    assert.equal(first.code, 0, first.stderr);
    const before = readFileSync(file, 'utf8');
    const second = await osmo(['token', 'rotate', 'pipeline', '--output-file', file]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.split('\n')[0], `Access token written to ${file}`);
    const after = readFileSync(file, 'utf8');
    assert.notEqual(after, before);
    assert.match(after, /^\S+\n$/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await patWorks(after.trim()), true);
    assert.equal(await patWorks(before.trim()), false);
  });
});
