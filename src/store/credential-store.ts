import * as z from 'zod/mini';

/** Everything secret about one server's login. */
export const secretsSchema = z.object({
  /** The personal access token of a token login. */
  pat: z.optional(z.string()),
  /** The OAuth refresh token of a pkce, code or password login. */
  refreshToken: z.optional(z.string()),
  /** The cached short-lived JWT and its expiry (unix seconds). */
  jwt: z.optional(z.string()),
  jwtExpiresAt: z.optional(z.number()),
});
export type Secrets = z.infer<typeof secretsSchema>;

/** A place for secrets, keyed by the normalized server URL. */
export interface CredentialStore {
  readonly kind: 'keychain' | 'file' | 'memory';
  get(account: string): Promise<Secrets | undefined>;
  set(account: string, secrets: Secrets): Promise<void>;
  /** Returns whether something was removed. */
  delete(account: string): Promise<boolean>;
  /** Every account with secrets here, for `osmo logout --all`. */
  accounts(): Promise<string[]>;
}

export class MemoryStore implements CredentialStore {
  readonly kind = 'memory';
  private readonly items = new Map<string, Secrets>();
  async get(account: string): Promise<Secrets | undefined> {
    return this.items.get(account);
  }
  async set(account: string, secrets: Secrets): Promise<void> {
    this.items.set(account, { ...secrets });
  }
  async delete(account: string): Promise<boolean> {
    return this.items.delete(account);
  }
  async accounts(): Promise<string[]> {
    return [...this.items.keys()];
  }
}
