// The service's user management routes (`/api/auth/user…`, `/api/auth/roles/…`),
// with the checks, messages and cascades of its handlers. The gateway admits
// only `osmo-admin` callers; `guard` is that rule.
import { json, missing, UserError, validationError, type Reply, type Req, type Route, type ValidationIssue } from './http-kit.js';
import type { PatStore } from './pat-store.js';
import { pydanticNow, USER_ID_RE, type StoredUser, type UserStore } from './user-store.js';

export type AdminHandler = (req: Req, admin: string, params: string[]) => Reply | Promise<Reply>;

export interface UserRouteDeps {
  users: UserStore;
  pats: PatStore;
  guard(handler: AdminHandler): Route['handler'];
}

const MAX_PAGE = 1000;

export function userRoutes({ users, pats, guard }: UserRouteDeps): Route[] {
  const notEmpty = (id: string): void => {
    if (!id.trim()) throw new UserError('User ID must not be empty');
  };
  const existing = (id: string): StoredUser => {
    notEmpty(id);
    const user = users.get(id);
    if (!user) throw new UserError(`User ${id} not found`);
    return user;
  };
  const roleExists = (role: string): void => {
    if (!users.knownRoles.has(role)) throw new UserError(`Role ${role} does not exist`);
  };
  const plain = (u: StoredUser) => ({ id: u.id, created_at: u.created_at, created_by: u.created_by });

  function list(req: Req): Reply {
    const startIndex = intParam(req, 'start_index', 1);
    const count = intParam(req, 'count', 100);
    if (typeof startIndex !== 'number') return validationError(startIndex);
    if (typeof count !== 'number') return validationError(count);
    const start = Math.max(startIndex, 1);
    const size = Math.min(Math.max(count, 1), MAX_PAGE);
    const matching = users.list({ idPrefix: req.query.get('id_prefix') ?? undefined, roles: req.query.getAll('roles') });
    const page = matching.slice(start - 1, start - 1 + size).map(plain);
    return json(200, { total_results: matching.length, start_index: start, items_per_page: page.length, users: page });
  }

  function create(req: Req, admin: string): Reply {
    const { body, reply } = jsonBody(req);
    if (reply) return reply;
    const { id, roles } = body as { id?: unknown; roles?: unknown };
    if (id === undefined) return validationError(missing('body', 'id'));
    if (typeof id !== 'string') return validationError(stringType(['body', 'id'], id));
    if (roles !== undefined && roles !== null && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))) {
      return validationError({ type: 'list_type', loc: ['body', 'roles'], msg: 'Input should be a valid list', input: roles });
    }
    if (!USER_ID_RE.test(id)) throw new UserError(`Username ${id} must match regex ${USER_ID_RE.source}`);
    if (users.get(id)) throw new UserError(`User ${id} already exists`);
    const wanted = (roles as string[] | null | undefined) ?? [];
    wanted.forEach(roleExists);
    return json(200, plain(users.add(id, wanted, admin)));
  }

  function assign(req: Req, admin: string, id: string): Reply {
    notEmpty(id);
    const { body, reply } = jsonBody(req);
    if (reply) return reply;
    const role = (body as { role_name?: unknown }).role_name;
    if (role === undefined) return validationError(missing('body', 'role_name'));
    if (typeof role !== 'string') return validationError(stringType(['body', 'role_name'], role));
    roleExists(role);
    // The foreign key on user_roles is what rejects an unknown user.
    const user = users.get(id);
    if (!user) throw new UserError(`User ${id} not found`);
    let assignment = user.roles.get(role);
    if (!assignment) user.roles.set(role, (assignment = { role_name: role, assigned_by: admin, assigned_at: pydanticNow() }));
    return json(200, { user_id: id, ...assignment });
  }

  function unassign(id: string, role: string): Reply {
    notEmpty(id);
    // No check that the user or the assignment exists: the DELETE simply removes nothing.
    if (users.get(id)?.roles.delete(role)) pats.removeRole(id, role);
    return json(200, null);
  }

  function remove(id: string): Reply {
    existing(id);
    users.delete(id);
    pats.deleteUser(id);
    return json(200, null);
  }

  function members(role: string): Reply {
    roleExists(role);
    const holders = users.list({ roles: [role] }).map((u) => ({ user_id: u.id, ...pick(u.roles.get(role)!) }));
    return json(200, { role_name: role, users: holders });
  }

  function bulkAssign(req: Req, admin: string, role: string): Reply {
    const { body, reply } = jsonBody(req);
    if (reply) return reply;
    const ids = (body as { user_ids?: unknown }).user_ids;
    if (ids === undefined) return validationError(missing('body', 'user_ids'));
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) {
      return validationError({ type: 'list_type', loc: ['body', 'user_ids'], msg: 'Input should be a valid list', input: ids });
    }
    (ids as string[]).forEach(notEmpty);
    roleExists(role);
    const result = { role_name: role, assigned: [] as string[], already_assigned: [] as string[], failed: [] as string[] };
    for (const id of ids as string[]) {
      const user = users.get(id);
      if (!user) result.failed.push(id);
      else if (user.roles.has(role)) result.already_assigned.push(id);
      else {
        user.roles.set(role, { role_name: role, assigned_by: admin, assigned_at: pydanticNow() });
        result.assigned.push(id);
      }
    }
    return json(200, result);
  }

  const SEG = '([^/]+)';
  const at = (pattern: string): RegExp => new RegExp(`^${pattern}$`);
  return [
    { method: 'GET', pattern: at('/api/auth/user'), handler: guard((req) => list(req)) },
    { method: 'POST', pattern: at('/api/auth/user'), handler: guard((req, admin) => create(req, admin)) },
    { method: 'GET', pattern: at(`/api/auth/user/${SEG}`), handler: guard((_r, _a, [id = '']) => {
      const user = existing(id);
      return json(200, { ...plain(user), roles: users.sortedRoles(user) });
    }) },
    { method: 'DELETE', pattern: at(`/api/auth/user/${SEG}`), handler: guard((_r, _a, [id = '']) => remove(id)) },
    { method: 'GET', pattern: at(`/api/auth/user/${SEG}/roles`), handler: guard((_r, _a, [id = '']) => {
      const user = existing(id);
      return json(200, { user_id: id, roles: users.sortedRoles(user) });
    }) },
    { method: 'POST', pattern: at(`/api/auth/user/${SEG}/roles`), handler: guard((req, admin, [id = '']) => assign(req, admin, id)) },
    { method: 'DELETE', pattern: at(`/api/auth/user/${SEG}/roles/${SEG}`), handler: guard((_r, _a, [id = '', role = '']) => unassign(id, role)) },
    { method: 'GET', pattern: at(`/api/auth/roles/${SEG}/users`), handler: guard((_r, _a, [role = '']) => members(role)) },
    { method: 'POST', pattern: at(`/api/auth/roles/${SEG}/users`), handler: guard((req, admin, [role = '']) => bulkAssign(req, admin, role)) },
  ];
}

function pick(role: { assigned_by: string; assigned_at: string }): { assigned_by: string; assigned_at: string } {
  return { assigned_by: role.assigned_by, assigned_at: role.assigned_at };
}

/** FastAPI's integer query parameter: a default when absent, a 422 issue when not an integer. */
function intParam(req: Req, name: string, fallback: number): number | ValidationIssue {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
    return { type: 'int_parsing', loc: ['query', name], msg: 'Input should be a valid integer, unable to parse string as an integer', input: raw };
  }
  return Number(raw);
}

function stringType(loc: string[], input: unknown): ValidationIssue {
  return { type: 'string_type', loc, msg: 'Input should be a valid string', input };
}

/** A JSON object body, or FastAPI's 422 for a missing or broken one. */
function jsonBody(req: Req): { body: Record<string, unknown>; reply?: undefined } | { body?: undefined; reply: Reply } {
  if (req.body.trim() === '') return { reply: validationError(missing('body')) };
  let body: unknown;
  try {
    body = JSON.parse(req.body);
  } catch (err) {
    return { reply: validationError({
      type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {},
      ctx: { error: err instanceof Error ? err.message : 'Expecting value' },
    }) };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { reply: validationError({ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body }) };
  }
  return { body: body as Record<string, unknown> };
}
