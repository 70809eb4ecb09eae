// The paging of `osmo user list` against services that move under it or
// misbehave; the real paging over HTTP is in user-commands.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UserList, UserQuery } from '../src/api/user-schemas.js';
import { likeLiteral, listAllUsers } from '../src/users/list-all.js';

const user = (id: string) => ({ id, created_at: '2026-12-01T00:00:00Z', created_by: null });

/** A service holding `ids` newest first; `onPage` may change them between pages. */
function service(ids: string[], opts: { ignoreStart?: boolean; onPage?: (ids: string[]) => void } = {}) {
  const calls: UserQuery[] = [];
  return {
    calls,
    listUsers: async (q: UserQuery): Promise<UserList> => {
      calls.push(q);
      const start = opts.ignoreStart ? 1 : q.startIndex;
      const page = ids.slice(start - 1, start - 1 + Math.min(q.count, 1000)).map(user);
      opts.onPage?.(ids);
      return { total_results: ids.length, start_index: start, items_per_page: page.length, users: page };
    },
  };
}

const names = (n: number, prefix = 'u'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${n - i}`);

describe('listAllUsers', () => {
  it('asks for 1000 a page from start_index 1 until the total is reached', async () => {
    const svc = service(names(2500));
    const list = await listAllUsers(svc, {});
    assert.equal(list.users.length, 2500);
    assert.deepEqual(svc.calls.map((c) => [c.startIndex, c.count]), [[1, 1000], [1001, 1000], [2001, 1000]]);
    assert.deepEqual({ ...list, users: undefined }, { total_results: 2500, start_index: 1, items_per_page: 2500, users: undefined });
  });

  it('with a limit asks for no more than it needs', async () => {
    const svc = service(names(2500));
    const list = await listAllUsers(svc, {}, 1200);
    assert.equal(list.users.length, 1200);
    assert.deepEqual(svc.calls.map((c) => c.count), [1000, 200]);
    assert.equal(list.total_results, 2500);
  });

  it('a user created while paging shifts the pages: nobody is shown twice or lost', async () => {
    let created = 0;
    const svc = service(names(2000), { onPage: (ids) => void ids.unshift(`new${++created}`) });
    const list = await listAllUsers(svc, {});
    const ids = list.users.map((u) => u.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    for (const id of names(2000)) assert.ok(ids.includes(id), `${id} is listed`);
  });

  it('a service that ignores start_index ends the walk instead of looping', async () => {
    const svc = service(names(1500), { ignoreStart: true });
    const list = await listAllUsers(svc, {});
    assert.equal(list.users.length, 1000);
    assert.equal(svc.calls.length, 2);
  });

  it('sends --id-prefix escaped for LIKE, and the roles as given', async () => {
    const svc = service([]);
    await listAllUsers(svc, { idPrefix: 'svc_50%\\', roles: ['a', 'b'] });
    assert.deepEqual(svc.calls[0], { startIndex: 1, count: 1000, idPrefix: 'svc\\_50\\%\\\\', roles: ['a', 'b'] });
    assert.equal(likeLiteral('plain-prefix@x.y'), 'plain-prefix@x.y');
  });
});
