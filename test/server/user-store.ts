// In-memory users and their role assignments, as the service keeps them in its
// `users` and `user_roles` tables. Users the service has never seen (a dev-mode
// name, the owner of a seeded PAT) are not stored: they act with `osmo-user`.

export interface UserRole {
  role_name: string;
  assigned_by: string;
  assigned_at: string;
}

export interface StoredUser {
  id: string;
  created_at: string;
  created_by: string | null;
  /** By role name, in the order assigned. */
  roles: Map<string, UserRole>;
}

/** The service's rule for a user ID (`_validate_username`). */
export const USER_ID_RE = /^[a-zA-Z0-9]([a-zA-Z0-9_.@-]*[a-zA-Z0-9])?$/;

/** What pydantic writes for a timezone-aware UTC `datetime`: microseconds and a `Z`. */
export const pydanticNow = (): string => `${new Date().toISOString().slice(0, 23)}000Z`;

/**
 * Postgres `LIKE 'prefix%'` with its default escape character: `%` matches
 * any run of characters, `_` any one, and a backslash makes the next one literal.
 */
export function likePrefix(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}`, 's');
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export class UserStore {
  private readonly users = new Map<string, StoredUser>();
  readonly knownRoles: Set<string>;

  constructor(knownRoles: Iterable<string>) {
    this.knownRoles = new Set(knownRoles);
  }

  get(id: string): StoredUser | undefined {
    return this.users.get(id);
  }

  /** Role names in the order they were assigned; undefined for a user the service has not stored. */
  roleNames(id: string): string[] | undefined {
    const user = this.users.get(id);
    return user && [...user.roles.keys()];
  }

  add(id: string, roles: string[], createdBy: string | null): StoredUser {
    const now = pydanticNow();
    const user: StoredUser = { id, created_at: now, created_by: createdBy, roles: new Map() };
    for (const role of roles) {
      this.knownRoles.add(role);
      if (!user.roles.has(role)) user.roles.set(role, { role_name: role, assigned_by: createdBy ?? 'system', assigned_at: now });
    }
    this.users.set(id, user);
    return user;
  }

  delete(id: string): boolean {
    return this.users.delete(id);
  }

  /** Newest first, as the service orders by `created_at DESC`. */
  list(filter: { idPrefix?: string; roles?: string[] }): StoredUser[] {
    const prefix = filter.idPrefix ? likePrefix(filter.idPrefix) : undefined;
    const roles = filter.roles?.length ? filter.roles : undefined;
    return [...this.users.values()]
      .reverse()
      .filter((u) => (!prefix || prefix.test(u.id)) && (!roles || roles.some((r) => u.roles.has(r))));
  }

  /** Sorted by role name, as the service answers. */
  sortedRoles(user: StoredUser): UserRole[] {
    return [...user.roles.values()].sort((a, b) => (a.role_name < b.role_name ? -1 : a.role_name > b.role_name ? 1 : 0));
  }
}
