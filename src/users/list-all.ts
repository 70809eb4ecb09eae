import type { OsmoClient } from '../api/client.js';
import type { User, UserList } from '../api/user-schemas.js';

/** The most users the service returns in one page. */
export const MAX_PAGE = 1000;

export interface UserFilter {
  idPrefix?: string;
  roles?: string[];
}

/**
 * Every matching user (or the first `limit`), page by page, as one
 * UserListResponse. The service lists newest first by offset, so a user
 * created meanwhile shifts the pages: one already seen is not shown twice, and
 * a page that brings nothing new ends the walk (also against a service that
 * ignores start_index).
 */
export async function listAllUsers(client: Pick<OsmoClient, 'listUsers'>, filter: UserFilter, limit?: number): Promise<UserList> {
  const users: User[] = [];
  const seen = new Set<string>();
  const idPrefix = filter.idPrefix === undefined ? undefined : likeLiteral(filter.idPrefix);
  let total = 0;
  let start = 1;
  for (;;) {
    const count = Math.min(MAX_PAGE, limit === undefined ? MAX_PAGE : limit - users.length);
    const page = await client.listUsers({ startIndex: start, count, idPrefix, roles: filter.roles });
    total = page.total_results;
    let added = 0;
    for (const user of page.users) {
      if (seen.has(user.id) || (limit !== undefined && users.length >= limit)) continue;
      seen.add(user.id);
      users.push(user);
      added++;
    }
    start += page.users.length;
    if (added === 0 || start > total || (limit !== undefined && users.length >= limit)) break;
  }
  return { total_results: total, start_index: 1, items_per_page: users.length, users };
}

/**
 * The service matches `id_prefix` with SQL `LIKE 'prefix%'`, where `_` stands
 * for any character: `--id-prefix svc_` would also list `svcX…`. A backslash
 * (Postgres's default escape) keeps what was typed literal.
 */
export function likeLiteral(prefix: string): string {
  return prefix.replace(/[\\%_]/g, '\\$&');
}
