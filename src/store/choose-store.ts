import { UsageError } from '../errors.js';
import type { StoreKind } from '../config/state.js';
import type { CredentialStore } from './credential-store.js';
import { FileStore } from './file-store.js';
import { KeychainStore, KeychainUnavailable, PROBE_ACCOUNT } from './keychain-store.js';

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
export async function chooseStoreForLogin(env: NodeJS.ProcessEnv, dir: string): Promise<StoreChoice> {
  const forced = forcedStore(env);
  if (forced === 'file') return { store: new FileStore(dir) };
  try {
    const keychain = await KeychainStore.open(env);
    await probeWrite(keychain);
    return { store: keychain };
  } catch (err) {
    if (forced === 'keychain' || !(err instanceof KeychainUnavailable)) throw err;
    const file = new FileStore(dir);
    return { store: file, notice: `Note: ${err.message}; credentials are stored in ${file.path} (readable only by you)` };
  }
}

/** After login: the store recorded for the server, without probing. */
export async function openStore(kind: StoreKind, env: NodeJS.ProcessEnv, dir: string): Promise<CredentialStore & { kind: StoreKind }> {
  return kind === 'keychain' ? KeychainStore.open(env) : new FileStore(dir);
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
