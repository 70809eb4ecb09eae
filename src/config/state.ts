import { join } from 'node:path';
import * as z from 'zod/mini';
import { LOGIN_METHODS } from './login-methods.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { CONFIG_FILE } from './paths.js';
import { checkConfigDir, readCheckedFile } from './permissions.js';

// Non-secret state only. Secrets live in a CredentialStore, never here.

export { LOGIN_METHODS, type LoginMethod } from './login-methods.js';
export type StoreKind = 'keychain' | 'file';

const serverStateSchema = z.object({
  method: z.enum(LOGIN_METHODS),
  username: z.optional(z.string()),
  /** Which store holds this server's secrets, so later commands need not probe. */
  store: z.optional(z.enum(['keychain', 'file'])),
  clientId: z.optional(z.string()),
  tokenEndpoint: z.optional(z.string()),
  /** The user allowed credentials over plain http:// to a non-loopback host. */
  allowInsecureHttp: z.optional(z.boolean()),
  /** Name and expiry (YYYY-MM-DD) of the PAT behind a token login, when known. */
  tokenName: z.optional(z.string()),
  patExpiresAt: z.optional(z.string()),
  /** An earlier login's keychain item could not be removed (the keychain was unreachable); logout must remove it. */
  staleKeychainItem: z.optional(z.boolean()),
});
export type ServerState = z.infer<typeof serverStateSchema>;

const stateSchema = z.object({
  version: z.literal(1),
  current: z.optional(z.string()),
  servers: z.record(z.string(), serverStateSchema),
  /** Servers whose login was already told that its secrets went to the file, not the keychain (kept across logouts). */
  fileFallbackNoted: z.optional(z.array(z.string())),
});
export type State = z.infer<typeof stateSchema>;

export function emptyState(): State {
  return { version: 1, servers: {} };
}

/** The current server's URL, when that server still has a login (`logout` keeps `current`). */
export function currentLogin(state: State): string | undefined {
  return state.current && state.servers[state.current] ? state.current : undefined;
}

export function readState(dir: string): State {
  const path = join(dir, CONFIG_FILE);
  // Another user's config.json could send the refresh token to their own token endpoint.
  checkConfigDir(dir);
  const text = readCheckedFile(path, 'state');
  if (text === undefined) return emptyState();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`, 'fix or delete it, then run `osmo login` again');
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${path} has an unexpected format`, 'delete it and run `osmo login` again');
  }
  return parsed.data;
}

/** Set by the config-dir lock while it is held: throws when the lock is no longer this process's. */
let beforeWrite: (() => void) | undefined;

/** The config-dir lock (lock.ts) registers its check here, below it, so that no import leads back up. */
export function guardStateWrites(check: (() => void) | undefined): void {
  beforeWrite = check;
}

export function writeState(dir: string, state: State): void {
  // A holder that lost the lock must not write what it read before: the lock runs it again.
  beforeWrite?.();
  writeFileAtomic(join(dir, CONFIG_FILE), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
