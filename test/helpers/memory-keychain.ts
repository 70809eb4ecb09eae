import type { CredentialStore, Secrets } from '../../src/store/credential-store.js';

/**
 * A keychain in the test's memory, for osmo run in-process (in-process.ts):
 * osmo opens it where it would open the OS keychain, so a test sees exactly
 * what was stored there. The real keychain (Secret Service over D-Bus) is
 * tested through bin/osmo (test/keychain.test.ts).
 */
export class MemoryKeychain implements CredentialStore {
  readonly kind = 'keychain';
  /** Each account's item as the keychain holds it: the JSON of its secrets. */
  readonly items = new Map<string, string>();

  async get(account: string): Promise<Secrets | undefined> {
    const text = this.items.get(account);
    return text === undefined ? undefined : (JSON.parse(text) as Secrets);
  }

  async set(account: string, secrets: Secrets): Promise<void> {
    this.items.set(account, JSON.stringify(secrets));
  }

  async delete(account: string): Promise<boolean> {
    return this.items.delete(account);
  }

  async accounts(): Promise<string[]> {
    return [...this.items.keys()];
  }
}
