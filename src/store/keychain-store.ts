import { UsageError } from '../errors.js';
import { lazyRequire } from '../util/lazy-require.js';
import { secretsSchema, type CredentialStore, type Secrets } from './credential-store.js';

export const KEYCHAIN_SERVICE = 'osmo-cli';
const CALL_TIMEOUT_MS = 3000;
/** Looked up (never stored) to check that the keychain answers. */
const PROBE_ACCOUNT = '__osmo_probe__';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** Why the keychain cannot be used; shown to the user as is. */
export class KeychainUnavailable extends UsageError {}

/**
 * Secrets in the OS keychain through keytar (macOS Keychain, Windows
 * Credential Manager, the Secret Service on Linux), one item per server whose
 * password is the JSON of its Secrets. keytar is optional and native, so it
 * is loaded only when a command needs credentials, and every call is bounded:
 * a locked or absent keyring must never hang a CI job.
 */
export class KeychainStore implements CredentialStore {
  readonly kind = 'keychain';

  private constructor(private readonly keytar: Keytar) {}

  /** Loads keytar and checks that the keychain answers. */
  static async open(env: NodeJS.ProcessEnv): Promise<KeychainStore> {
    if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
      throw new KeychainUnavailable('the keychain is unavailable: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)');
    }
    let keytar: Keytar;
    try {
      keytar = lazyRequire('keytar') as Keytar;
    } catch {
      throw new KeychainUnavailable('the keychain is unavailable: the keytar module is not installed or could not be loaded');
    }
    const store = new KeychainStore(keytar);
    try {
      await bounded(keytar.getPassword(KEYCHAIN_SERVICE, PROBE_ACCOUNT));
    } catch (err) {
      throw new KeychainUnavailable(`the keychain is unavailable: no Secret Service answered (${reason(err)})`);
    }
    return store;
  }

  async get(account: string): Promise<Secrets | undefined> {
    const text = await this.call(this.keytar.getPassword(KEYCHAIN_SERVICE, account));
    if (text == null) return undefined;
    try {
      return secretsSchema.parse(JSON.parse(text));
    } catch {
      throw new UsageError(`the keychain item for ${account} is damaged`, `run \`osmo logout\` and log in again`);
    }
  }

  async set(account: string, secrets: Secrets): Promise<void> {
    await this.call(this.keytar.setPassword(KEYCHAIN_SERVICE, account, JSON.stringify(secrets)));
  }

  async delete(account: string): Promise<boolean> {
    return this.call(this.keytar.deletePassword(KEYCHAIN_SERVICE, account));
  }

  async accounts(): Promise<string[]> {
    const items = await this.call(this.keytar.findCredentials(KEYCHAIN_SERVICE));
    return items.map((item) => item.account).filter((account) => account !== PROBE_ACCOUNT);
  }

  private async call<T>(promise: Promise<T>): Promise<T> {
    try {
      return await bounded(promise);
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
