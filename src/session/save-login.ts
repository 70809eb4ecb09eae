import type { Context } from '../context.js';
import { readState, writeState, type ServerState } from '../config/state.js';
import type { Secrets } from '../store/credential-store.js';
import { chooseStoreForLogin } from '../store/choose-store.js';
import { FileStore } from '../store/file-store.js';
import { KeychainStore } from '../store/keychain-store.js';

export interface SavedLogin {
  store: 'keychain' | 'file' | 'none';
  /** A line for stderr when secrets fell back to the file store. */
  notice?: string;
}

/**
 * Records a successful login: secrets in the chosen store, the rest in the
 * config file, and this server as the current one. Other servers' logins stay.
 */
export async function saveLogin(ctx: Context, url: string, server: Omit<ServerState, 'store'>, secrets?: Secrets): Promise<SavedLogin> {
  const choice = secrets ? await chooseStoreForLogin(ctx.env, ctx.configDir) : undefined;
  const lock = await ctx.lock();
  await lock(async () => {
    const state = readState(ctx.configDir);
    const previous = state.servers[url]?.store;
    if (choice && secrets) await choice.store.set(url, secrets);
    // Secrets left in another store by an earlier login must not linger there.
    if (previous && previous !== choice?.store.kind) await deleteFrom(previous, ctx, url);
    state.servers[url] = { ...server, ...(choice ? { store: choice.store.kind } : {}) };
    state.current = url;
    writeState(ctx.configDir, state);
  });
  return { store: choice?.store.kind ?? 'none', notice: choice?.notice };
}

/** Forgets a server's login everywhere it may be stored. Returns whether there was one. */
export async function forgetLogin(ctx: Context, url: string): Promise<boolean> {
  const lock = await ctx.lock();
  return lock(async () => {
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
async function deleteFrom(kind: 'keychain' | 'file', ctx: Context, url: string, mustReach = false): Promise<boolean> {
  if (kind === 'file') return new FileStore(ctx.configDir).delete(url);
  try {
    const keychain = await KeychainStore.open(ctx.env);
    return await keychain.delete(url);
  } catch (err) {
    if (mustReach) throw err;
    return false;
  }
}
