// The local server's user management, over real HTTP: what the real service's
// handlers do (checks, messages, paging, cascades), behind the gateway's
// admin-only rule. The `osmo user` tests rely on every behaviour here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';

const ADMIN = 'admin@example.com';
const USER = 'user@example.com';

let srv: OsmoServer;
before(async () => {
  srv = await startOsmoServer();
});
after(async () => {
  await srv.close();
});

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

async function call(method: string, path: string, body?: unknown, as = ADMIN): Promise<Answer> {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { 'x-osmo-user': as, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

const message = (a: Answer): string => (a.body as { message: string }).message;

async function exchange(pat: string): Promise<number> {
  const res = await fetch(`${srv.url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }) });
  return res.status;
}

describe('user management on the local server', () => {
  it('creates a user with roles, shows it, refuses duplicates, bad IDs and unknown roles', async () => {
    const created = await call('POST', '/api/auth/user', { id: 'svc-create', roles: ['osmo-user', 'osmo-ml-team'] });
    assert.equal(created.status, 200, created.text);
    const user = created.body as { id: string; created_at: string; created_by: string };
    assert.equal(user.id, 'svc-create');
    assert.equal(user.created_by, ADMIN);
    assert.match(user.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

    const got = await call('GET', '/api/auth/user/svc-create');
    const roles = (got.body as { roles: Array<{ role_name: string; assigned_by: string }> }).roles;
    // Sorted by name, as the service's query orders them.
    assert.deepEqual(roles.map((r) => [r.role_name, r.assigned_by]), [['osmo-ml-team', ADMIN], ['osmo-user', ADMIN]]);

    const duplicate = await call('POST', '/api/auth/user', { id: 'svc-create' });
    assert.equal(duplicate.status, 400);
    assert.equal(message(duplicate), 'User svc-create already exists');
    const badId = await call('POST', '/api/auth/user', { id: '-bad id' });
    assert.equal(badId.status, 400);
    assert.match(message(badId), /^Username -bad id must match regex /);
    const badRole = await call('POST', '/api/auth/user', { id: 'svc-norole', roles: ['no-such-role'] });
    assert.equal(badRole.status, 400);
    assert.equal(message(badRole), 'Role no-such-role does not exist');
    assert.equal((await call('GET', '/api/auth/user/svc-norole')).status, 400, 'a refused create stores nothing');
    const noId = await call('POST', '/api/auth/user', { roles: [] });
    assert.equal(noId.status, 422);
    assert.equal(message(await call('GET', '/api/auth/user/nobody-here')), 'User nobody-here not found');
  });

  it('assigns idempotently, refuses unknown roles and users, and removing a role takes it from the user\'s PATs', async () => {
    await call('POST', '/api/auth/user', { id: 'svc-roles', roles: ['osmo-user'] });
    const first = await call('POST', '/api/auth/user/svc-roles/roles', { role_name: 'osmo-ml-team' });
    assert.equal(first.status, 200, first.text);
    const again = await call('POST', '/api/auth/user/svc-roles/roles', { role_name: 'osmo-ml-team' });
    assert.deepEqual(again.body, first.body, 'a second assignment returns the first one');
    assert.equal(message(await call('POST', '/api/auth/user/svc-roles/roles', { role_name: 'nope' })), 'Role nope does not exist');
    assert.equal(message(await call('POST', '/api/auth/user/ghost/roles', { role_name: 'osmo-user' })), 'User ghost not found');

    const pat = srv.issuePat('svc-roles', 'svc-token');
    const jwtRoles = async (): Promise<string[]> => {
      const res = await fetch(`${srv.url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }) });
      const { token } = (await res.json()) as { token: string };
      return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { roles: string[] }).roles;
    };
    assert.deepEqual(await jwtRoles(), ['osmo-user', 'osmo-ml-team']);
    const removed = await call('DELETE', '/api/auth/user/svc-roles/roles/osmo-ml-team');
    assert.equal(removed.status, 200);
    assert.equal(removed.text, 'null');
    assert.deepEqual(await jwtRoles(), ['osmo-user']);
    // Removing what is not there is no error, as with the service's plain DELETE.
    assert.equal((await call('DELETE', '/api/auth/user/svc-roles/roles/osmo-ml-team')).status, 200);
    const listed = await call('GET', '/api/auth/user/svc-roles/roles');
    assert.deepEqual((listed.body as { roles: Array<{ role_name: string }> }).roles.map((r) => r.role_name), ['osmo-user']);
  });

  it('deleting a user deletes its roles and PATs: the PAT no longer exchanges', async () => {
    await call('POST', '/api/auth/user', { id: 'svc-gone', roles: ['osmo-user'] });
    const pat = srv.issuePat('svc-gone', 'ci');
    assert.equal(await exchange(pat), 200);
    const del = await call('DELETE', '/api/auth/user/svc-gone');
    assert.equal(del.status, 200);
    assert.equal(await exchange(pat), 400);
    assert.equal(message(await call('DELETE', '/api/auth/user/svc-gone')), 'User svc-gone not found');
    const members = await call('GET', '/api/auth/roles/osmo-user/users');
    assert.ok(!(members.body as { users: Array<{ user_id: string }> }).users.some((u) => u.user_id === 'svc-gone'));
  });

  it('pages with start_index (1-based) and count (1..1000), newest first; filters by id_prefix (LIKE) and ANY of roles', async () => {
    const many = await startOsmoServer({ users: { root: ['osmo-admin'] } });
    try {
      const post = (body: unknown): Promise<Response> =>
        fetch(`${many.url}/api/auth/user`, { method: 'POST', headers: { 'x-osmo-user': 'root', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      for (let i = 0; i < 1205; i++) many.addUser(`svc-${String(i).padStart(4, '0')}`, i % 2 ? ['osmo-user'] : []);
      assert.equal((await post({ id: 'svcX1', roles: ['osmo-ml-team'] })).status, 200);
      const get = async (query: string): Promise<{ total_results: number; start_index: number; items_per_page: number; users: Array<{ id: string }> }> => {
        const res = await fetch(`${many.url}/api/auth/user?${query}`, { headers: { 'x-osmo-user': 'root' } });
        assert.equal(res.status, 200, await res.clone().text());
        return (await res.json()) as never;
      };
      const page = await get('start_index=1&count=5000');
      assert.equal(page.total_results, 1207);
      assert.equal(page.items_per_page, 1000, 'count is at most 1000');
      assert.equal(page.users[0]?.id, 'svcX1', 'newest first');
      const next = await get('start_index=1001&count=1000');
      assert.equal(next.items_per_page, 207);
      assert.equal(next.users.at(-1)?.id, 'root');
      assert.equal((await get('start_index=0&count=0')).items_per_page, 1, 'start_index and count are clamped');
      assert.equal((await get('')).items_per_page, 100, 'count defaults to 100');
      // LIKE: `_` matches any one character, so svc_ also finds svcX1; a backslash makes it literal.
      assert.equal((await get('id_prefix=svc_&count=1000')).total_results, 1206);
      assert.equal((await get(`id_prefix=${encodeURIComponent('svc\\_')}`)).total_results, 0);
      assert.equal((await get(`id_prefix=${encodeURIComponent('svc-')}`)).total_results, 1205);
      assert.equal((await get('roles=osmo-user&roles=osmo-ml-team')).total_results, 603);
      assert.equal((await get('roles=osmo-ml-team&id_prefix=svc-')).total_results, 0);
      const bad = await fetch(`${many.url}/api/auth/user?count=ten`, { headers: { 'x-osmo-user': 'root' } });
      assert.equal(bad.status, 422);
    } finally {
      await many.close();
    }
  });

  it('is for osmo-admin only: anyone else gets the gateway\'s plain-text 403', async () => {
    for (const [method, path] of [['GET', '/api/auth/user'], ['POST', '/api/auth/user'], ['GET', `/api/auth/user/${ADMIN}`], ['DELETE', `/api/auth/user/${ADMIN}`], ['POST', `/api/auth/user/${USER}/roles`], ['DELETE', `/api/auth/user/${USER}/roles/osmo-user`], ['GET', '/api/auth/roles/osmo-user/users']] as const) {
      const res = await call(method, path, method === 'POST' ? { id: 'x', role_name: 'osmo-admin' } : undefined, USER);
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.text, 'access denied');
    }
    const seeded = await call('GET', '/api/auth/user?count=1000');
    assert.ok((seeded.body as { users: Array<{ id: string; created_by: string | null }> }).users.some((u) => u.id === USER && u.created_by === null), 'the seeded users are stored');
  });
});
