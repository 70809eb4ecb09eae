import { z } from 'zod';

// Response shapes from osmo-auth-openapi.json. Unknown fields are allowed so
// that a newer service does not break this client.

export const loginInfoSchema = z.object({
  device_endpoint: z.string().nullish(),
  device_client_id: z.string().nullish(),
  browser_endpoint: z.string().nullish(),
  browser_client_id: z.string().nullish(),
  token_endpoint: z.string().nullish(),
  logout_endpoint: z.string().nullish(),
});
export type LoginInfo = z.infer<typeof loginInfoSchema>;

export const jwtTokenResponseSchema = z.object({
  token: z.string().nullish(),
  expires_at: z.number().int().nullish(),
  error: z.string().nullish(),
});

/** create answers with the PAT as a bare JSON string. */
export const createdTokenSchema = z.string().min(1);

export const accessTokenSchema = z.object({
  user_name: z.string(),
  token_name: z.string(),
  expires_at: z.string(),
  description: z.string().nullish(),
  roles: z.array(z.string()).default([]),
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
  detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })),
});
export const detailStringSchema = z.object({ detail: z.string() });
