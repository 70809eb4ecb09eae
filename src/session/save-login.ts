import type { Services } from '../services.js';
import { readState, writeState, type ServerState } from '../config/state.js';
import type { Secrets } from '../store/credential-store.js';
import { chooseStoreForLogin, type StoreChoice } from '../store/choose-store.js';
import { FileStore } from '../store/file-store.js';
import { KeychainStore } from '../store/keychain-store.js';
import { sweepLeftovers } from '../util/atomic-write.js';

export interface SavedLogin {
  store: 'keychain' | 'file' | 'none';
  /** A line for stderr when secrets fell back to the file store. */
  notice?: string;
}

/**
 * Picks where a login's secrets will go. Called before any request, so an
 * unreachable forced keychain fails before the credential is sent anywhere.
 */
export function chooseStore(ctx: Services): Promise<StoreChoice> {
  return chooseStoreForLogin(ctx.env, ctx.configDir);
}

/**
 * Records a successful login: secrets in the chosen store, the rest in the
 * config file, and this server as the current one. Other servers' logins stay.
 */
export async function saveLogin(ctx: Services, url: string, server: Omit<ServerState, 'store'>, secrets?: { secrets: Secrets; choice: StoreChoice }): Promise<SavedLogin> {
  const choice = secrets?.choice;
  const lock = await ctx.lock();
  await lock(async () => {
    const state = readState(ctx.configDir);
    const previous = state.servers[url]?.store;
    if (secrets) await secrets.choice.store.set(url, secrets.secrets);
    // Secrets left in another store by an earlier login must not linger there.
    if (previous && previous !== choice?.store.kind) await deleteFrom(previous, ctx, url);
    state.servers[url] = { ...server, ...(choice ? { store: choice.store.kind } : {}) };
    state.current = url;
    writeState(ctx.configDir, state);
  });
  return { store: choice?.store.kind ?? 'none', notice: choice?.notice };
}

/** Makes an already logged-in server the current one; undefined when there is no login to switch to. */
export async function switchTo(ctx: Services, url: string): Promise<ServerState | undefined> {
  const lock = await ctx.lock();
  return lock(async () => {
    const state = readState(ctx.configDir);
    const server = state.servers[url];
    if (!server) return undefined;
    if (state.current !== url) {
      state.current = url;
      writeState(ctx.configDir, state);
    }
    return server;
  });
}

/** Remembers when the PAT behind a token login expires, as seen in a fresh `token list`. */
export async function recordPatExpiry(ctx: Services, url: string, patExpiresAt: string): Promise<void> {
  const lock = await ctx.lock();
  await lock(async () => {
    const state = readState(ctx.configDir);
    const server = state.servers[url];
    if (!server || server.patExpiresAt === patExpiresAt) return;
    state.servers[url] = { ...server, patExpiresAt };
    writeState(ctx.configDir, state);
  });
}

/** Forgets a server's login everywhere it may be stored. Returns whether there was one. */
export async function forgetLogin(ctx: Services, url: string): Promise<boolean> {
  const lock = await ctx.lock();
  return lock(async () => {
    sweepLeftovers(ctx.configDir); // a killed write may have left a secret in a temporary file
    const state = readState(ctx.configDir);
    const known = url in state.servers;
    const removedFile = await deleteFrom('file', ctx, url);
    const removedKeychain = await deleteFrom('keychain', ctx, url, state.servers[url]?.store === 'keychain');
    // `current` stays: a later `osmo login` with no URL logs in to it again.
    delete state.servers[url];
    if (known) writeState(ctx.configDir, state);
    return known || removedFile || removedKeychain;
  });
}

/** Removes a server's secrets from one store; an unreachable keychain only matters if it held them. */
async function deleteFrom(kind: 'keychain' | 'file', ctx: Services, url: string, mustReach = false): Promise<boolean> {
  if (kind === 'file') return new FileStore(ctx.configDir).delete(url);
  try {
    const keychain = await KeychainStore.open(ctx.env);
    return await keychain.delete(url);
  } catch (err) {
    if (mustReach) throw err;
    return false;
  }
}
