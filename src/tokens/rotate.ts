import type { OsmoClient } from '../api/client.js';
import { OsmoError, UsageError } from '../errors.js';
import { shellCommand } from '../util/shell-words.js';

// `osmo token rotate`: replace a token by one with the same roles and
// description and a new expiry. The service has no rename and no update, so
// a rotation is a create and a delete, ordered so that a failure half-way
// loses as little as possible and says exactly what state it left.

export interface RotationPlan {
  name: string;
  /** The replacement's name; equal to `name` to rotate in place. */
  newName: string;
  user?: string;
  /** YYYY-MM-DD (UTC). */
  expiresAt: string;
}

export interface TokenSpec {
  roles: string[];
  description?: string;
}

export interface RotationResult {
  pat: string;
  /** What was read from the old token and given to the new one. */
  spec: TokenSpec;
  /** Set when the old token (a different name) is still there because its delete failed. */
  deleteError?: OsmoError;
}

export interface RotationHooks {
  /**
   * Keeps the new PAT (prints or writes it, switches the login to it). Runs
   * before the old token is deleted, so no failure after the create can
   * lose the only copy of its secret.
   */
  created(pat: string): Promise<void>;
  /**
   * Brackets the moment an in-place rotation has no token (delete sent,
   * create not yet answered): if the process ends there (Ctrl-C), the user
   * still needs `recreate`. Returns the function that ends the bracket.
   */
  unprotected?(recreate: string): () => void;
}

export async function rotateToken(client: OsmoClient, plan: RotationPlan, hooks: RotationHooks): Promise<RotationResult> {
  const spec = await readSpec(client, plan);
  const create = (): Promise<string> => client.createToken(plan.newName, { ...spec, expiresAt: plan.expiresAt, user: plan.user });
  if (plan.newName !== plan.name) {
    // A new name: the old token keeps working until the new one exists.
    const pat = await create();
    await hooks.created(pat);
    try {
      await client.deleteToken(plan.name, plan.user);
      return { pat, spec };
    } catch (err) {
      if (!(err instanceof OsmoError)) throw err;
      const retry = shellCommand(['osmo', 'token', 'delete', plan.name, ...(plan.user ? ['--user', plan.user] : [])]);
      return { pat, spec, deleteError: new OsmoError(`${plan.newName} was created, but the old token ${plan.name} could not be deleted: ${err.message}`, err.exitCode, `delete it with: ${retry}`) };
    }
  }
  // The same name: it must be deleted before it can be created again.
  const recreate = recreateCommand(plan, spec);
  const release = hooks.unprotected?.(recreate);
  let pat: string;
  try {
    await client.deleteToken(plan.name, plan.user);
    try {
      pat = await create();
    } catch (err) {
      if (!(err instanceof OsmoError)) throw err;
      throw new OsmoError(`${plan.name} was deleted, but creating it again failed: ${err.message}`, err.exitCode, `recreate it with: ${recreate}`);
    }
  } finally {
    release?.();
  }
  await hooks.created(pat);
  return { pat, spec };
}

/** The `osmo token set` line that makes the token again with everything it had (and the new expiry). */
export function recreateCommand(plan: RotationPlan, spec: TokenSpec): string {
  return shellCommand([
    'osmo', 'token', 'set', plan.name,
    '--expires-at', plan.expiresAt,
    ...(spec.description ? ['--description', spec.description] : []),
    ...spec.roles.flatMap((role) => ['-r', role]),
    ...(plan.user ? ['--user', plan.user] : []),
  ]);
}

/**
 * Roles, description and existence, read before anything changes. Your own
 * token's roles come from its roles endpoint; another user's (admins) from
 * the list, the only place the service gives them.
 */
async function readSpec(client: OsmoClient, { name, newName, user }: RotationPlan): Promise<TokenSpec> {
  const [tokens, ownRoles] = await Promise.all([
    client.listTokens(user),
    // Asked at the same time; its "not found" waits until the list has said so more plainly.
    user ? undefined : client.tokenRoles(name).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
  ]);
  const token = tokens.find((t) => t.token_name === name);
  if (!token) throw new UsageError(`Access token ${name} not found${user ? ` for user ${user}` : ''}`, `see the tokens with \`osmo token list${user ? ' --user USER' : ''}\``);
  if (ownRoles instanceof Error) throw ownRoles;
  // Checked here rather than left to the create: nothing is created, and so nothing deleted, for a taken name.
  if (newName !== name && tokens.some((t) => t.token_name === newName)) {
    throw new UsageError(`Access token ${newName} already exists`, `pick another --new-name, or delete ${newName} first`);
  }
  const roles = ownRoles ? ownRoles.roles.map((r) => r.role_name) : token.roles;
  // Without roles, the service would give the new token every role the user has.
  if (roles.length === 0) {
    throw new UsageError(
      `Access token ${name} has no roles, and a new token without roles would get all of ${user ? `${user}'s` : 'your'} roles`,
      'create the replacement with `osmo token set NEW -r ROLE …`, then delete the old one',
    );
  }
  return { roles, description: token.description || undefined };
}
