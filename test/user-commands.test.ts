// `osmo user …` end to end: the real bin/osmo against the local server, logged
// in with an administrator's PAT (and a plain user's, for the 403s). Most
// runs are in-process (test/helpers/in-process.ts) on the same kind of config
// directory; bin/osmo keeps: the terminal cases, `user delete` with no
// terminal, and the service-account pipeline's own logins (its file login
// and an OSMO_URL/OSMO_TOKEN job).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newUser as newProcessUser, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser, runInProcess } from './helpers/in-process.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { OSMO_BIN, baseEnv, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { havePty, runInPty, runOsmoInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';
import { startOsmoServer } from './server/osmo-server.js';
import { HOSTILE_TEXT } from './server/hostile.js';

const server = useServer();
const newUser = (env: Record<string, string> = {}): ReturnType<typeof inProcessUser> => inProcessUser(undefined, env);
const ADMIN = 'admin@example.com';
const today = (): string => new Date().toISOString().slice(0, 10);

let adminRun: ReturnType<typeof newUser> | undefined;
/** One administrator's login, shared by the tests of this file. */
async function admin(): Promise<ReturnType<typeof newUser>['osmo']> {
  if (!adminRun) {
    adminRun = newUser();
    await tokenLogin(server(), adminRun.osmo, ADMIN, 'admin-token');
  }
  return adminRun.osmo;
}

function ok(res: RunResult): RunResult {
  assert.equal(res.code, 0, `exit ${res.code}\n${res.stderr}${res.stdout}`);
  return res;
}

describe('osmo user create and get', () => {
  it('creates with roles given as -r a b and as -r repeated, and shows the user', async () => {
    const osmo = await admin();
    const created = ok(await osmo(['user', 'create', 'svc-create', '-r', 'osmo-user', 'osmo-ml-team']));
    assert.equal(created.stdout, 'User created: svc-create\nRoles assigned: osmo-user, osmo-ml-team\n');
    assert.equal(created.stderr, '');
    // The ID after `-r a b` is the last word, as with `token set`.
    assert.equal(ok(await osmo(['user', 'create', '-r', 'osmo-user', '-r', 'osmo-ml-team', 'svc-create2'])).stdout, 'User created: svc-create2\nRoles assigned: osmo-user, osmo-ml-team\n');

    const got = ok(await osmo(['user', 'get', 'svc-create']));
    assert.equal(
      got.stdout,
      `User ID: svc-create\nCreated At: ${today()}\nCreated By: ${ADMIN}\n\nRoles:\n  - osmo-ml-team (assigned by ${ADMIN} on ${today()})\n  - osmo-user (assigned by ${ADMIN} on ${today()})\n`,
    );
    const json = JSON.parse(ok(await osmo(['user', 'get', 'svc-create', '-t', 'json'])).stdout) as { id: string; created_by: string; roles: Array<{ role_name: string }> };
    assert.equal(json.id, 'svc-create');
    assert.equal(json.created_by, ADMIN);
    assert.deepEqual(json.roles.map((r) => r.role_name), ['osmo-ml-team', 'osmo-user']);
  });

  it('JSON create prints the service\'s user; a user without roles shows "Roles: None"; a seeded user "Created By: -"', async () => {
    const osmo = await admin();
    const json = JSON.parse(ok(await osmo(['user', 'create', 'svc-bare', '-t', 'json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['created_at', 'created_by', 'id']);
    assert.equal(json.id, 'svc-bare');
    assert.equal(ok(await osmo(['user', 'get', 'svc-bare'])).stdout, `User ID: svc-bare\nCreated At: ${today()}\nCreated By: ${ADMIN}\n\nRoles: None\n`);
    assert.match(ok(await osmo(['user', 'get', 'user@example.com'])).stdout, /^User ID: user@example\.com\nCreated At: \d{4}-\d{2}-\d{2}\nCreated By: -\n\nRoles:\n {2}- osmo-ml-team /);
  });

  it('refuses an ID the service cannot hold before any request, with the rule', async () => {
    const osmo = await admin();
    server().resetCounts();
    for (const id of ['_svc', 'svc automation', '..']) {
      for (const command of [['create', id], ['get', id], ['delete', id, '--force'], ['update', id, '-a', 'osmo-user'], ['roles', 'add', id, 'osmo-user']]) {
        const res = await osmo(['user', ...command]);
        assertCleanFailure(res, { code: 2, message: /^invalid user ID ".*": use letters, digits, "\.", "_", "@" and "-", starting and ending with a letter or digit$/ });
      }
    }
    assert.equal(server().count(), 0, 'no request was sent');
    const json = await osmo(['user', 'create', 'bad id', '-t', 'json']);
    assert.equal(json.code, 2);
    assert.match((JSON.parse(json.stderr) as { message: string }).message, /^invalid user ID "bad id"/);
  });

  it('a duplicate user or an unknown role is the service\'s 400: exit 2 with its message', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-dup']));
    assertCleanFailure(await osmo(['user', 'create', 'svc-dup']), { code: 2, message: /^User svc-dup already exists$/ });
    assertCleanFailure(await osmo(['user', 'create', 'svc-norole', '-r', 'no-such-role']), { code: 2, message: /^Role no-such-role does not exist$/ });
    assertCleanFailure(await osmo(['user', 'get', 'svc-norole']), { code: 2, message: /^User svc-norole not found$/ });
  });
});

describe('osmo user list', () => {
  it('prints the total, a blank line and the table, newest first; JSON is the service\'s list; filters by prefix and roles', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'lst-a', '-r', 'osmo-user']));
    ok(await osmo(['user', 'create', 'lst-b', '-r', 'osmo-ml-team']));
    const text = ok(await osmo(['user', 'list', '--id-prefix', 'lst-']));
    assert.equal(
      text.stdout,
      `Total users: 2\n\n+---------+------------+\n| User ID | Created At |\n+---------+------------+\n| lst-b   | ${today()} |\n| lst-a   | ${today()} |\n+---------+------------+\n`,
    );
    const json = JSON.parse(ok(await osmo(['user', 'list', '-p', 'lst-', '-t', 'json'])).stdout) as { total_results: number; start_index: number; items_per_page: number; users: Array<{ id: string; created_by: string }> };
    assert.deepEqual({ ...json, users: json.users.map((u) => [u.id, u.created_by]) }, { total_results: 2, start_index: 1, items_per_page: 2, users: [['lst-b', ADMIN], ['lst-a', ADMIN]] });
    const byRole = JSON.parse(ok(await osmo(['user', 'list', '-p', 'lst-', '-r', 'osmo-ml-team', 'osmo-admin', '-t', 'json'])).stdout) as { users: Array<{ id: string }> };
    assert.deepEqual(byRole.users.map((u) => u.id), ['lst-b']);
    const repeated = JSON.parse(ok(await osmo(['user', 'list', '-p', 'lst-', '-r', 'osmo-ml-team', '-r', 'osmo-user', '-t', 'json'])).stdout) as { users: Array<{ id: string }> };
    assert.deepEqual(repeated.users.map((u) => u.id), ['lst-b', 'lst-a']);
    // The words gh and docker taught: `user ls` and `--json`.
    assert.equal(ok(await osmo(['user', 'ls', '--id-prefix', 'lst-'])).stdout, text.stdout);
    assert.deepEqual(JSON.parse(ok(await osmo(['user', 'ls', '-p', 'lst-', '--json'])).stdout), json);
  });

  it('says "No users found" (JSON: an empty list)', async () => {
    const osmo = await admin();
    assert.equal(ok(await osmo(['user', 'list', '--id-prefix', 'nobody-by-this-prefix'])).stdout, 'No users found\n');
    assert.deepEqual(JSON.parse(ok(await osmo(['user', 'list', '--id-prefix', 'nobody-by-this-prefix', '-t', 'json'])).stdout), { total_results: 0, start_index: 1, items_per_page: 0, users: [] });
  });

  it('keeps --id-prefix literal although the service matches it with LIKE (where "_" is any character)', async () => {
    const osmo = await admin();
    server().addUser('under_score1');
    server().addUser('underXscore2');
    const json = JSON.parse(ok(await osmo(['user', 'list', '--id-prefix', 'under_', '-t', 'json'])).stdout) as { users: Array<{ id: string }> };
    assert.deepEqual(json.users.map((u) => u.id), ['under_score1']);
    assert.ok(server().requests.some((r) => r.path === '/api/auth/user' && new URLSearchParams(r.query).get('id_prefix') === 'under\\_'));
  });

  it('pages through every matching user, 1000 a page; --count limits the total', async () => {
    const osmo = await admin();
    for (let i = 0; i < 2345; i++) server().addUser(`bulk-${String(i).padStart(4, '0')}`, ['osmo-user']);
    server().resetCounts();
    const all = JSON.parse(ok(await osmo(['user', 'list', '--id-prefix', 'bulk-', '-t', 'json'])).stdout) as { total_results: number; items_per_page: number; users: Array<{ id: string }> };
    assert.equal(all.total_results, 2345);
    assert.equal(all.users.length, 2345);
    assert.equal(new Set(all.users.map((u) => u.id)).size, 2345, 'no user twice');
    assert.equal(all.users[0]?.id, 'bulk-2344');
    assert.equal(all.users.at(-1)?.id, 'bulk-0000');
    const pages = server().requests.filter((r) => r.path === '/api/auth/user').map((r) => { const q = new URLSearchParams(r.query); return [q.get('start_index'), q.get('count')]; });
    assert.deepEqual(pages, [['1', '1000'], ['1001', '1000'], ['2001', '1000']]);

    server().resetCounts();
    const text = ok(await osmo(['user', 'list', '--id-prefix', 'bulk-', '--count', '1500']));
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'Total users: 2345', 'the total is of all matching users');
    assert.equal(lines.filter((l) => /^\| bulk-\d{4} /.test(l)).length, 1500);
    const limited = server().requests.filter((r) => r.path === '/api/auth/user').map((r) => new URLSearchParams(r.query).get('count'));
    assert.deepEqual(limited, ['1000', '500']);

    for (const bad of ['0', '-1', '1.5', 'ten', '']) {
      assertCleanFailure(await osmo(['user', 'list', '--count', bad]), { code: 2, message: /^invalid --count ".*": expected a whole number of users, 1 or more$/ });
    }
  });

  it('on a terminal the User ID column gives way to fit; piped output keeps every ID whole', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const osmo = await admin();
    const long = `wide-${'x'.repeat(70)}@example.com`;
    ok(await osmo(['user', 'create', long]));
    const piped = ok(await osmo(['user', 'list', '--id-prefix', 'wide-']));
    assert.ok(piped.stdout.includes(`| ${long} |`));
    const res = await runOsmoInPty(['user', 'list', '--id-prefix', 'wide-'], adminRun!.dir, 60);
    assert.equal(res.code, 0, res.output);
    const table = res.output.split('\n').filter((l) => l.startsWith('|') || l.startsWith('+'));
    assert.ok(table.length >= 4 && table.every((l) => l.length === 60), res.output);
    assert.match(res.output, /\| wide-x+… \| \d{4}-\d{2}-\d{2} \|/);
  });
});

describe('osmo user update and user roles add|remove', () => {
  it('adds, then removes, one line each as it lands; JSON shows the user as it is now', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-upd', '-r', 'osmo-user']));
    const upd = ok(await osmo(['user', 'update', 'svc-upd', '--add-roles', 'osmo-ml-team', 'osmo-admin', '--remove-roles', 'osmo-user']));
    assert.equal(upd.stdout, 'Added role: osmo-ml-team\nAdded role: osmo-admin\nRemoved role: osmo-user\n');
    const json = JSON.parse(ok(await osmo(['user', 'update', 'svc-upd', '-r', 'osmo-admin', '-t', 'json'])).stdout) as { id: string; roles: Array<{ role_name: string }> };
    assert.equal(json.id, 'svc-upd');
    assert.deepEqual(json.roles.map((r) => r.role_name), ['osmo-ml-team']);
    // The deployment guide's form; adding a role the user has is harmless.
    assert.equal(ok(await osmo(['user', 'roles', 'add', 'svc-upd', 'osmo-user', 'osmo-ml-team'])).stdout, 'Added role: osmo-user\nAdded role: osmo-ml-team\n');
    assert.equal(ok(await osmo(['user', 'roles', 'remove', 'svc-upd', 'osmo-ml-team'])).stdout, 'Removed role: osmo-ml-team\n');
    const after = JSON.parse(ok(await osmo(['user', 'roles', 'add', 'svc-upd', 'osmo-admin', '-t', 'json'])).stdout) as { roles: Array<{ role_name: string }> };
    assert.deepEqual(after.roles.map((r) => r.role_name), ['osmo-admin', 'osmo-user']);
    // `-a x ID`: the ID arrives among the roles, and is told apart when only one flag was given.
    assert.equal(ok(await osmo(['user', 'update', '-r', 'osmo-admin', 'svc-upd'])).stdout, 'Removed role: osmo-admin\n');
  });

  it('a failure halfway: the changes made are reported as they landed, the error says which were made and which were not', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-half', '-r', 'osmo-user', 'osmo-ml-team']));
    const res = await osmo(['user', 'update', 'svc-half', '-a', 'osmo-admin', 'no-such-role', '-r', 'osmo-ml-team']);
    assert.equal(res.stdout, 'Added role: osmo-admin\n');
    assertCleanFailure(res, { code: 2, message: /^could not add role no-such-role to svc-half: Role no-such-role does not exist$/ });
    assert.match(res.stderr, /\n {2}made: added osmo-admin; not made: add no-such-role, remove osmo-ml-team\n$/);
    const now = JSON.parse(ok(await osmo(['user', 'get', 'svc-half', '-t', 'json'])).stdout) as { roles: Array<{ role_name: string }> };
    assert.deepEqual(now.roles.map((r) => r.role_name), ['osmo-admin', 'osmo-ml-team', 'osmo-user'], 'the first change stays, the rest were not tried');

    // A server failure: exit 10, the same account; JSON puts it in the error object.
    server().fault({ route: 'DELETE /api/auth/user/svc-half/roles/osmo-ml-team', status: 500 });
    const failed = await osmo(['user', 'roles', 'remove', 'svc-half', 'osmo-user', 'osmo-ml-team', 'osmo-admin', '-t', 'json']);
    assert.equal(failed.code, 10, failed.stderr);
    assert.equal(failed.stdout, '', 'JSON mode prints only the final user, and there is none');
    const error = JSON.parse(failed.stderr) as { message: string; code: number; hint: string };
    assert.match(error.message, /^could not remove role osmo-ml-team from svc-half: the server failed to remove the role \(HTTP 500\)$/);
    assert.equal(error.hint, 'made: removed osmo-user; not made: remove osmo-ml-team, remove osmo-admin');
  });

  it('no answer at all: the change that got none is reported as unknown, the rest as not made (exit 10)', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-net', '-r', 'osmo-ml-team']));
    server().fault({ route: 'POST /api/auth/user/svc-net/roles', drop: 'immediately', times: Infinity });
    try {
      const res = await osmo(['user', 'update', 'svc-net', '-a', 'osmo-admin', '-r', 'osmo-ml-team']);
      assert.equal(res.stdout, '');
      assertCleanFailure(res, { code: 10, message: /^could not add role osmo-admin to svc-net: / });
      assert.match(res.stderr, /\n {2}made: none; not made: remove osmo-ml-team; unknown: add osmo-admin\n$/);
    } finally {
      server().clearFaults();
    }
  });

  it('nothing to do is the official client\'s message, exit 2, before any request', async () => {
    const osmo = await admin();
    server().resetCounts();
    assertCleanFailure(await osmo(['user', 'update', 'svc-upd']), { code: 2, message: /^No updates specified\. Use --add-roles or --remove-roles\.$/ });
    assertCleanFailure(await osmo(['user', 'update', 'svc-upd', '-a', 'osmo-user', '-r', 'osmo-user']), { code: 2, message: /^role osmo-user is both to be added and to be removed$/ });
    assert.equal((await osmo(['user', 'roles', 'add', 'svc-upd'])).code, 2);
    assert.equal(server().count(), 0);
  });
});

describe('osmo user delete', () => {
  it('without a terminal and without --force: refuses at once (exit 2), sends nothing, deletes nothing', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-keep']));
    server().resetCounts();
    // A closed stdin (</dev/null) and a pipe with a "y" in it are both not a person answering.
    const runs = await Promise.all(['', 'y\n'].map((input) => runOsmo(['user', 'delete', 'svc-keep'], adminRun!.dir, { input, timeoutMs: 10_000 })));
    for (const res of runs) {
      assertCleanFailure(res, { code: 2, message: /^not deleting user svc-keep without confirmation, and there is no terminal to ask on$/ });
      assert.match(res.stderr, /\n {2}to delete it, run: osmo user delete svc-keep --force\n$/);
    }
    assert.equal(server().count(), 0);
    ok(await osmo(['user', 'get', 'svc-keep']));
  });

  it('--force deletes (text and JSON); the user is gone', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-del1']));
    ok(await osmo(['user', 'create', 'svc-del2']));
    assert.equal(ok(await osmo(['user', 'delete', 'svc-del1', '--force'])).stdout, 'User deleted: svc-del1\n');
    assert.deepEqual(JSON.parse(ok(await osmo(['user', 'delete', 'svc-del2', '-f', '-t', 'json'])).stdout), { id: 'svc-del2', deleted: true });
    assertCleanFailure(await osmo(['user', 'delete', 'svc-del1', '--force']), { code: 2, message: /^User svc-del1 not found$/ });
  });

  it('on a terminal asks first, naming the tokens and roles that go with the user; only "y" deletes', async (t) => {
    if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
    const osmo = await admin();
    // Two users alike, one answered "n" and one "y", at the same time.
    for (const id of ['svc-ask', 'svc-ask-yes']) {
      ok(await osmo(['user', 'create', id, '-r', 'osmo-user']));
      server().issuePat(id, 'ci-token');
      server().issuePat(id, 'nightly');
    }
    const env = { ...baseEnv(adminRun!.dir), NODE: process.execPath, OSMO: OSMO_BIN };
    const question = (id: string): string => `Are you sure you want to delete user "${id}"? Its access tokens (2: ci-token, nightly) and roles (osmo-user) are deleted with it. [y/N]: `;
    const [no, yes] = await Promise.all([
      runInPty('"$NODE" "$OSMO" user delete svc-ask', env, [{ after: '[y/N]: ', send: 'n\r' }]),
      runInPty('"$NODE" "$OSMO" user delete svc-ask-yes', env, [{ after: '[y/N]: ', send: 'y\r' }]),
    ]);
    assert.equal(no.code, 0, no.output);
    assert.equal(no.output.replace(/\r\n/g, '\n'), `${question('svc-ask')}n\nCancelled\n`);
    ok(await osmo(['user', 'get', 'svc-ask']));
    assert.equal(yes.code, 0, yes.output);
    assert.equal(yes.output.replace(/\r\n/g, '\n'), `${question('svc-ask-yes')}y\nUser deleted: svc-ask-yes\n`);
    assertCleanFailure(await osmo(['user', 'get', 'svc-ask-yes']), { code: 2, message: /not found/ });
  });
});

describe('a plain user', () => {
  it('gets a 403 that names the osmo-admin role, from every user command, text and JSON', async () => {
    const { osmo } = newUser();
    await tokenLogin(server(), osmo, 'user@example.com', 'plain-token');
    const commands = [['list'], ['create', 'svc-x'], ['get', 'user@example.com'], ['update', 'user@example.com', '-a', 'osmo-admin'], ['delete', 'user@example.com', '--force'], ['roles', 'add', 'user@example.com', 'osmo-admin'], ['roles', 'remove', 'user@example.com', 'osmo-user']];
    for (const command of commands) {
      const name = `osmo user ${command[0] === 'roles' ? `roles ${command[1]}` : command[0]}`;
      const res = await osmo(['user', ...command]);
      assertCleanFailure(res, { code: 2, message: new RegExp(`^\`${name}\` needs the osmo-admin role, which this login does not have \\(the service answered: access denied \\(HTTP 403\\)\\)$`) });
      assert.equal(res.stdout, '');
      const json = await osmo(['user', ...command, '-t', 'json']);
      assert.equal(json.code, 2);
      const error = JSON.parse(json.stderr) as { message: string; code: number; hint: string };
      assert.match(error.message, /needs the osmo-admin role/);
      assert.match(error.hint, /osmo-admin/);
    }
    const roles = JSON.parse(ok(await (await admin())(['user', 'get', 'user@example.com', '-t', 'json'])).stdout) as { roles: Array<{ role_name: string }> };
    assert.deepEqual(roles.roles.map((r) => r.role_name), ['osmo-ml-team', 'osmo-user'], 'nothing changed');
  });
});

describe('a service account, end to end', () => {
  it('admin creates it and a scoped token; the pipeline logs in from the file or the environment; rotate; delete: its tokens stop working', async () => {
    const osmo = await admin();
    ok(await osmo(['user', 'create', 'svc-automation', '--roles', 'osmo-user']));
    const file = `${tempDir('osmo-svc-')}/svc-token`;
    const set = ok(await osmo(['token', 'set', 'automation-token', '--user', 'svc-automation', '--expires-in', '30d', '--description', 'Automation Token', '--roles', 'osmo-user', '--output-file', file]));
    assert.equal(set.stdout, `Access token written to ${file}\nCreated for user: svc-automation\nRoles: osmo-user\n`);

    // The pipeline: its own config directory, logged in from the file, and a
    // job with OSMO_URL and OSMO_TOKEN only: two processes, started together.
    const pipeline = newProcessUser();
    const pat = (await import('node:fs')).readFileSync(file, 'utf8').trim();
    const envOnly = newProcessUser({ OSMO_URL: server().url, OSMO_TOKEN: pat });
    const [login, envWho] = await Promise.all([pipeline.osmo(['login', server().url, '--method', 'token', '--token-file', file]), envOnly.osmo(['whoami'])]);
    ok(login);
    assert.match(ok(envWho).stdout, /User: +svc-automation/);
    // The pipeline's later commands in-process, on its directory.
    const inPipeline = (args: string[]): Promise<RunResult> => runInProcess(args, pipeline.dir);
    const who = JSON.parse(ok(await inPipeline(['whoami', '-t', 'json'])).stdout) as { user: string; roles: string[] };
    assert.equal(who.user, 'svc-automation');
    assert.deepEqual(who.roles, ['osmo-user']);

    // Rotation by the pipeline itself: the file and its login move to the new token.
    ok(await inPipeline(['token', 'rotate', 'automation-token', '--expires-in', '30d', '--output-file', file]));
    const rotated = (await import('node:fs')).readFileSync(file, 'utf8').trim();
    assert.notEqual(rotated, pat);
    ok(await inPipeline(['token', 'list']));

    const listed = JSON.parse(ok(await osmo(['user', 'list', '--id-prefix', 'svc-automation', '-t', 'json'])).stdout) as { users: Array<{ id: string }> };
    assert.deepEqual(listed.users.map((u) => u.id), ['svc-automation']);

    ok(await osmo(['user', 'delete', 'svc-automation', '--force']));
    // The PAT is gone with the user: no new login, and no environment login, can use it.
    assertCleanFailure(await newUser().osmo(['login', server().url, '--method', 'token', '--token-file', file]), { code: 2, message: /Access Token is invalid/ });
    assertCleanFailure(await newUser({ OSMO_URL: server().url, OSMO_TOKEN: rotated }).osmo(['token', 'list']), { code: 2, message: /Access Token is invalid/ });
  });
});

describe('a hostile service', () => {
  it('its text in IDs, names and dates is escaped, on the lines osmo prints; JSON stays exact', async () => {
    const hostile = await startOsmoServer({ hostile: true });
    try {
      const { osmo } = newUser();
      ok(await osmo(['login', hostile.url, '--method', 'dev', '--username', ADMIN]));
      hostile.addUser('svc-evil', ['osmo-user'], ADMIN);
      // eslint-disable-next-line no-control-regex
      const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/u;
      const outputs = [
        ok(await osmo(['user', 'list'])),
        ok(await osmo(['user', 'get', 'svc-evil'])),
        ok(await osmo(['user', 'create', 'svc-new', '-r', 'osmo-user'])),
      ];
      for (const res of outputs) assert.equal(unsafe.exec(res.stdout + res.stderr), null, res.stdout);
      const table = outputs[0]!.stdout.trimEnd().split('\n');
      assert.ok(table.slice(2).every((l) => /^[+|]/.test(l)), outputs[0]!.stdout);
      assert.equal(table.filter((l) => l.includes('forged')).length, 3, 'one row per user, none forged');
      assert.equal(outputs[1]!.stdout.trimEnd().split('\n').length, 6, outputs[1]!.stdout);
      assert.equal(outputs[2]!.stdout.trimEnd().split('\n').length, 2, outputs[2]!.stdout);
      const json = JSON.parse(ok(await osmo(['user', 'get', 'svc-evil', '-t', 'json'])).stdout) as { id: string };
      assert.equal(json.id, `svc-evil${HOSTILE_TEXT}`);
    } finally {
      await hostile.close();
    }
  });
});
