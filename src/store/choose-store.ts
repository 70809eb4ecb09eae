import { UsageError } from '../errors.js';
import type { StoreKind } from '../config/state.js';
import type { CredentialStore } from './credential-store.js';
import type { FileStore } from './file-store.js';
import { KeychainUnavailable, PROBE_ACCOUNT } from './keychain-store.js';

/**
 * Opens the stores secrets are kept in. Only the wiring does (src/context.ts),
 * so that a test can hand in an in-memory keychain (test/helpers/memory-keychain.ts).
 */
export interface StoreOpener {
  /** credentials.json in the config directory. */
  fileStore(): Promise<FileStore>;
  /** The OS keychain, checked to answer; rejects with KeychainUnavailable when it cannot be used. */
  keychain(): Promise<CredentialStore & { kind: 'keychain' }>;
}

export interface StoreChoice {
  store: CredentialStore & { kind: StoreKind };
  /** Said once, at login, when secrets fell back to the file. */
  notice?: string;
}

/** OSMO_CREDENTIAL_STORE=keychain|file forces a store; anything else is a mistake. */
export function forcedStore(env: NodeJS.ProcessEnv): StoreKind | undefined {
  const value = env.OSMO_CREDENTIAL_STORE?.trim().toLowerCase();
  if (!value) return undefined;
  if (value === 'keychain' || value === 'file') return value;
  throw new UsageError(`OSMO_CREDENTIAL_STORE must be "keychain" or "file", not "${env.OSMO_CREDENTIAL_STORE}"`);
}

/** At login: the keychain when it answers, else the 0600 file with a notice. */
export async function chooseStoreForLogin(env: NodeJS.ProcessEnv, stores: StoreOpener): Promise<StoreChoice> {
  const forced = forcedStore(env);
  if (forced === 'file') return { store: await stores.fileStore() };
  try {
    const keychain = await stores.keychain();
    await probeWrite(keychain);
    return { store: keychain };
  } catch (err) {
    if (forced === 'keychain' || !(err instanceof KeychainUnavailable)) throw err;
    const file = await stores.fileStore();
    return { store: file, notice: `Note: ${err.message}; credentials are stored in ${file.path} (readable only by you)` };
  }
}

/** After login: the store recorded for the server, without probing. */
export function openStore(kind: StoreKind, stores: StoreOpener): Promise<CredentialStore & { kind: StoreKind }> {
  return kind === 'keychain' ? stores.keychain() : stores.fileStore();
}

/**
 * A keychain may answer lookups and still refuse every write: a Secret
 * Service without a usable default collection (a fresh gnome-keyring unlocked
 * with an empty password) fails with "Object does not exist at path
 * …/collection/login". At login, one write and read back tells; such a
 * keychain counts as no keychain at all.
 */
async function probeWrite(store: CredentialStore): Promise<void> {
  try {
    await store.set(PROBE_ACCOUNT, { jwt: 'probe' });
    const back = await store.get(PROBE_ACCOUNT);
    if (back?.jwt !== 'probe') throw new Error('what was written could not be read back');
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^the keychain failed: /, '') : String(err);
    throw new KeychainUnavailable(`the keychain is unavailable: it cannot store secrets (${why.split('\n')[0]})`);
  } finally {
    await store.delete(PROBE_ACCOUNT).catch(() => false);
  }
}
