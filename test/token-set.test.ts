// `osmo token set` beyond the seed page: relative expiry, the new token
// straight into a file, the note on stderr, the official client's `-r a b`,
// and `--user` values that would change the request path. In-process
// (test/helpers/in-process.ts) except the terminal case, which runs bin/osmo
// in a pseudo-terminal and so stays this command's end-to-end check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { newUser as newProcessUser, useServer } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { tempDir } from './helpers/cli.js';
import { havePty, runOsmoInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { until } from './helpers/wait.js';

const clock = new TestClock();
const server = useServer({ now: clock.now });
const newUser = (): ReturnType<typeof inProcessUser> => inProcessUser(clock);
const USER = 'user@example.com';
const NOTE = 'Note: Save the token in a secure location as it will not be shown again\n';

type Osmo = ReturnType<typeof inProcessUser>['osmo'];

async function devUser(user = USER, make: () => { osmo: Osmo; dir: string } = newUser): Promise<{ osmo: Osmo; dir: string }> {
  const u = make();
  assert.equal((await u.osmo(['login', server().url, '--method', 'dev', '--username', user])).code, 0);
  return u;
}

/** The query of the last create request for a token name. */
function lastCreate(name: string, user?: string): URLSearchParams {
  const path = user ? `/api/auth/user/${encodeURIComponent(user)}/access_token/${name}` : `/api/auth/access_token/${name}`;
  const req = server().requests.filter((r) => r.method === 'POST' && r.path === path).at(-1);
  assert.ok(req, `no create of ${name}`);
  return new URLSearchParams(req.query);
}

/** The UTC calendar date `n` units after today, computed without date-fns; a missing day of the month becomes its last day. */
function after(n: number, unit: 'd' | 'w' | 'm' | 'y'): string {
  const now = new Date();
  const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()];
  const clamp = (year: number, month: number): Date => new Date(Date.UTC(year, month, Math.min(d, new Date(Date.UTC(year, month + 1, 0)).getUTCDate())));
  const date = unit === 'd' ? new Date(Date.UTC(y, m, d + n)) : unit === 'w' ? new Date(Date.UTC(y, m, d + 7 * n)) : unit === 'm' ? clamp(y, m + n) : clamp(y + n, m);
  return date.toISOString().slice(0, 10);
}

describe('--expires-in', () => {
  it('30d, 12w, 6m and 1y become dates in UTC', async () => {
    const { osmo } = await devUser();
    for (const [amount, unit] of [[30, 'd'], [12, 'w'], [6, 'm'], [1, 'y']] as const) {
      const name = `rel-${amount}${unit}`;
      const res = await osmo(['token', 'set', name, '--expires-in', `${amount}${unit}`]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(lastCreate(name).get('expires_at'), after(amount, unit), `${amount}${unit}`);
    }
  });
});

describe('token set output', () => {
  it('the note goes to stderr; stdout holds only the token line', async () => {
    const { osmo } = await devUser();
    const res = await osmo(['token', 'set', 'note-token']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Access token: \S+\n$/);
    assert.equal(res.stderr, NOTE);
  });

  it('a terminal shows both lines as the seed page does', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const { dir } = await devUser(USER, newProcessUser);
    const res = await runOsmoInPty(['token', 'set', 'tty-token'], dir, 120);
    assert.equal(res.code, 0, res.output);
    assert.match(res.output, new RegExp(`^${NOTE}Access token: \\S+\\n$`));
  });

  it('--output-file: exactly the token and a newline, mode 0600; `login --token-file` takes it as is', async () => {
    const { osmo } = await devUser();
    const file = `${tempDir()}/osmo-token`;
    writeFileSync(file, 'an older token\n', { mode: 0o644 });
    const res = await osmo(['token', 'set', 'file-token', '-r', 'osmo-user', '--output-file', file]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Access token written to ${file}\nRoles: osmo-user\n`);
    assert.equal(res.stderr, '', 'the token is saved: no note');
    const content = readFileSync(file, 'utf8');
    assert.match(content, /^[A-Za-z0-9_-]{43}\n$/);
    assert.ok(!res.stdout.includes(content.trim()), 'the token is not printed');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the existing 0644 file was replaced by a 0600 one');

    const { osmo: other } = newUser();
    const login = await other(['login', server().url, '--method', 'token', '--token-file', file]);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stderr, '', 'no warning about the file');
    assert.match(login.stdout, /Welcome user@example\.com\.\n$/);
  });

  it('--output-file with -t json names the file, not the token', async () => {
    const { osmo } = await devUser();
    const file = `${tempDir()}/token.txt`;
    const res = await osmo(['token', 'set', 'json-file-token', '--output-file', file, '-t', 'json']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { output_file: file });
  });

  it('a file that cannot be written after the create says the secret is lost and how to recover', async () => {
    const { osmo } = await devUser();
    const parent = tempDir();
    const file = `${parent}/sub/token`;
    // The directory exists when it is checked, and is a plain file by the time the token comes back.
    mkdirSync(`${parent}/sub`);
    const create = 'POST /api/auth/access_token/lost-token';
    let release = (): void => undefined;
    server().fault({ route: create, hold: new Promise<void>((resolve) => { release = resolve; }) });
    const running = osmo(['token', 'set', 'lost-token', '--output-file', file]);
    // The server counts the create on arrival, after the check; its answer waits until the directory is gone.
    await until('the create request', () => server().count(create) > 0, { child: running });
    rmSync(`${parent}/sub`, { recursive: true });
    writeFileSync(`${parent}/sub`, 'not a directory');
    release();
    const res = await running;
    assertCleanFailure(res, { code: 2, message: /^the new token could not be written to .*\/sub\/token \(\w+\), and its secret is lost$/ });
    assert.match(res.stderr, /\n {2}delete the token with `osmo token delete lost-token` and create it again\n/);
    assert.equal(res.stdout, '');
  });
});

describe('-r as the official client takes it', () => {
  const cases: Array<[string, string[]]> = [
    ['NAME -r a b', ['roles-a', '-r', 'osmo-user', 'osmo-ml-team']],
    ['-r a b NAME', ['-r', 'osmo-user', 'osmo-ml-team', 'roles-b']],
    ['-r a -r b NAME', ['-r', 'osmo-user', '-r', 'osmo-ml-team', 'roles-c']],
    ['-r a b -- NAME', ['-r', 'osmo-user', 'osmo-ml-team', '--', 'roles-d']],
    ['-r a b -d text NAME', ['-r', 'osmo-user', 'osmo-ml-team', '-d', 'text', 'roles-e']],
  ];
  for (const [form, args] of cases) {
    it(`osmo token set ${form}`, async () => {
      const { osmo } = await devUser();
      const name = args.find((a) => a.startsWith('roles-'))!;
      const res = await osmo(['token', 'set', ...args]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /\nRoles: osmo-user, osmo-ml-team\n$/);
      assert.deepEqual(lastCreate(name).getAll('roles'), ['osmo-user', 'osmo-ml-team']);
    });
  }
});

describe('--user values that would change the request path', () => {
  it('`token delete X -u ..` is refused before any request, and your own X stays', async () => {
    const { osmo } = await devUser();
    assert.equal((await osmo(['token', 'set', 'mine'])).code, 0);
    server().resetCounts();
    for (const args of [['token', 'delete', 'mine', '-u', '..'], ['token', 'delete', 'mine', '-u', '.'], ['token', 'list', '-u', '..'], ['token', 'rotate', 'mine', '-u', '..'], ['token', 'set', 'other', '--user', '..']]) {
      const res = await osmo(args);
      assertCleanFailure(res, { code: 2, message: /^invalid --user "\.\.?": not a user name$/ });
    }
    assert.equal(server().count(), 0);
    const list = await osmo(['token', 'list']);
    assert.match(list.stdout, /\| mine /);
  });
});
