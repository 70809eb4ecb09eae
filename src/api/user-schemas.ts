import * as z from 'zod/mini';

// The user management shapes of osmo-auth-openapi.json (`User`,
// `UserListResponse`, `UserWithRoles`, `UserRoleAssignment`). Unknown fields
// are allowed, so a newer service does not break this client.

export const userSchema = z.object({
  id: z.string(),
  created_at: z.nullish(z.string()),
  created_by: z.nullish(z.string()),
});
export type User = z.infer<typeof userSchema>;

export const userListSchema = z.object({
  total_results: z.number().check(z.int()),
  start_index: z.number().check(z.int()),
  items_per_page: z.number().check(z.int()),
  users: z.array(userSchema),
});
export type UserList = z.infer<typeof userListSchema>;

export const userRoleSchema = z.object({
  role_name: z.string(),
  assigned_by: z.string(),
  assigned_at: z.string(),
});

export const userWithRolesSchema = z.object({
  ...userSchema.shape,
  roles: z._default(z.array(userRoleSchema), []),
});
export type UserWithRoles = z.infer<typeof userWithRolesSchema>;

export const roleAssignmentSchema = z.object({
  user_id: z.string(),
  role_name: z.string(),
  assigned_by: z.string(),
  assigned_at: z.string(),
});
export type RoleAssignment = z.infer<typeof roleAssignmentSchema>;

export interface UserQuery {
  /** 1-based. */
  startIndex: number;
  count: number;
  /** Sent as it is: a LIKE pattern on the service (see users/list-all.ts). */
  idPrefix?: string;
  roles?: string[];
}
