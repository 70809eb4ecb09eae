import * as z from 'zod/mini';

// Response shapes from osmo-auth-openapi.json. Unknown fields are allowed so
// that a newer service does not break this client.

export const loginInfoSchema = z.object({
  device_endpoint: z.nullish(z.string()),
  device_client_id: z.nullish(z.string()),
  browser_endpoint: z.nullish(z.string()),
  browser_client_id: z.nullish(z.string()),
  token_endpoint: z.nullish(z.string()),
  logout_endpoint: z.nullish(z.string()),
});
export type LoginInfo = z.infer<typeof loginInfoSchema>;

export const jwtTokenResponseSchema = z.object({
  token: z.nullish(z.string()),
  expires_at: z.nullish(z.number().check(z.int())),
  error: z.nullish(z.string()),
});

/** create answers with the PAT as a bare JSON string. */
export const createdTokenSchema = z.string().check(z.minLength(1));

export const accessTokenSchema = z.object({
  user_name: z.string(),
  token_name: z.string(),
  expires_at: z.string(),
  description: z.nullish(z.string()),
  roles: z._default(z.array(z.string()), []),
});
export type AccessToken = z.infer<typeof accessTokenSchema>;
export const accessTokenListSchema = z.array(accessTokenSchema);

export const accessTokenRolesSchema = z.object({
  user_name: z.string(),
  token_name: z.string(),
  roles: z.array(
    z.object({
      role_name: z.string(),
      assigned_by: z.string(),
      assigned_at: z.string(),
    }),
  ),
});
export type AccessTokenRoles = z.infer<typeof accessTokenRolesSchema>;

export const deletedSchema = z.unknown();

export const serviceErrorSchema = z.object({ message: z.string() });
export const validationErrorSchema = z.object({
  detail: z.array(z.object({ loc: z.optional(z.array(z.union([z.string(), z.number()]))), msg: z.string() })),
});
export const detailStringSchema = z.object({ detail: z.string() });
