import type { AsyncEntry } from '@napi-rs/keyring';
import { UsageError } from '../errors.js';
import { secretsSchema, type CredentialStore, type Secrets } from './credential-store.js';
import { BindingUnavailable, loadKeyringBinding, type KeyringBinding } from './keychain-binding.js';

export const KEYCHAIN_SERVICE = 'osmo-cli';
const CALL_TIMEOUT_MS = 3000;
/** Looked up to check that the keychain answers; written and removed by a login's probe (choose-store.ts). */
export const PROBE_ACCOUNT = '__osmo_probe__';

/** Why the keychain cannot be used; shown to the user as is. */
export class KeychainUnavailable extends UsageError {}

/**
 * Secrets in the OS keychain through @napi-rs/keyring (macOS Keychain,
 * Windows Credential Manager, the Secret Service on Linux), one item per
 * server whose password is the JSON of its Secrets. The binding is optional
 * and native, so it is loaded only when a command needs credentials, and
 * every call is bounded: a locked or absent keyring must never hang a CI job.
 */
export class KeychainStore implements CredentialStore {
  readonly kind = 'keychain';
  /** One entry per account: each entry opens its own connection to the keychain (a few ms on D-Bus). */
  private readonly entries = new Map<string, AsyncEntry>();

  private constructor(private readonly keyring: KeyringBinding) {}

  /** Loads the binding and checks that the keychain answers. */
  static async open(env: NodeJS.ProcessEnv): Promise<KeychainStore> {
    if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
      throw new KeychainUnavailable('the keychain is unavailable: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)');
    }
    let keyring: KeyringBinding;
    try {
      keyring = loadKeyringBinding();
    } catch (err) {
      throw new KeychainUnavailable(`the keychain is unavailable: ${err instanceof BindingUnavailable ? err.message : `the keychain module could not be loaded (${reason(err)})`}`);
    }
    const store = new KeychainStore(keyring);
    try {
      await bounded(store.entry(PROBE_ACCOUNT).getPassword());
    } catch (err) {
      throw new KeychainUnavailable(`the keychain is unavailable: no Secret Service answered (${reason(err)})`);
    }
    return store;
  }

  async get(account: string): Promise<Secrets | undefined> {
    const text = await this.call(() => this.entry(account).getPassword());
    if (text == null) return undefined;
    try {
      return secretsSchema.parse(JSON.parse(text));
    } catch {
      throw new UsageError(`the keychain item for ${account} is damaged`, `run \`osmo logout\` and log in again`);
    }
  }

  async set(account: string, secrets: Secrets): Promise<void> {
    await this.call(() => this.entry(account).setPassword(JSON.stringify(secrets)));
  }

  async delete(account: string): Promise<boolean> {
    return this.call(() => this.entry(account).deleteCredential());
  }

  async accounts(): Promise<string[]> {
    const items = await this.call(() => this.keyring.findCredentialsAsync(KEYCHAIN_SERVICE));
    return items.map((item) => item.account).filter((account) => account !== PROBE_ACCOUNT);
  }

  /**
   * On Linux, the Secret Service only: the library's default falls back to
   * the kernel keyring, which forgets everything at reboot, where osmo's
   * fallback is the file store, with a note.
   */
  private entry(account: string): AsyncEntry {
    let entry = this.entries.get(account);
    if (!entry) {
      entry = new this.keyring.AsyncEntry(KEYCHAIN_SERVICE, account, { linux: { store: 'secret-service' } });
      this.entries.set(account, entry);
    }
    return entry;
  }

  /** A function, so that what the binding throws at once (a bad entry) is reported like a failed call. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await bounded(Promise.resolve().then(operation));
    } catch (err) {
      throw new KeychainUnavailable(`the keychain failed: ${reason(err)}`, 'set OSMO_CREDENTIAL_STORE=file to keep credentials in a file instead');
    }
  }
}

function bounded<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s; is the keyring locked?`)), CALL_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
