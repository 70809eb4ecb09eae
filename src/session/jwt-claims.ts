import { decodeJwt } from 'jose';

/** The claims this client reads; the signature is the service's business. */
export interface OsmoClaims {
  exp?: number;
  name?: string;
  unique_name?: string;
  preferred_username?: string;
  email?: string;
  roles?: string[];
  osmo_token_name?: string;
}

/** Decodes without verifying; undefined when the token is not a JWT. */
export function readClaims(jwt: string): OsmoClaims | undefined {
  try {
    const claims = decodeJwt(jwt) as Record<string, unknown>;
    return {
      exp: typeof claims.exp === 'number' ? claims.exp : undefined,
      name: str(claims.name),
      unique_name: str(claims.unique_name),
      preferred_username: str(claims.preferred_username),
      email: str(claims.email),
      roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : undefined,
      osmo_token_name: str(claims.osmo_token_name),
    };
  } catch {
    return undefined;
  }
}

/** The name to greet: `name`, else `unique_name`, else the preferred username. */
export function displayName(claims: OsmoClaims | undefined): string | undefined {
  return claims?.name ?? claims?.unique_name ?? claims?.preferred_username ?? claims?.email;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
