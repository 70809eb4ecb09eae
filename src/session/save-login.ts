import { existsSync } from 'node:fs';
import type { Services } from '../services.js';
import { readState, writeState, type ServerState, type State } from '../config/state.js';
import type { Secrets } from '../store/credential-store.js';
import { chooseStoreForLogin, type StoreChoice } from '../store/choose-store.js';
import { FileStore } from '../store/file-store.js';
import { KeychainStore } from '../store/keychain-store.js';
import { keychainClearCommand, type Forgotten } from './leftovers.js';
import { noLock } from './lock-type.js';

export type { Forgotten } from './leftovers.js';

export interface SavedLogin {
  store: 'keychain' | 'file' | 'none';
  /** Lines for stderr: secrets fell back to the file store (the first time for this server), an old keychain item left behind. */
  notices: string[];
  /** The user whose stored login of this server the new one replaced, when it was someone else. */
  replacedUser?: string;
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
 * config file, and this server as the current one (unless `keepCurrent`).
 * Other servers' logins stay.
 */
export async function saveLogin(
  ctx: Services,
  url: string,
  server: Omit<ServerState, 'store'>,
  secrets?: { secrets: Secrets; choice: StoreChoice },
  opts: { keepCurrent?: boolean } = {},
): Promise<SavedLogin> {
  const choice = secrets?.choice;
  const lock = await ctx.lock();
  return lock(async () => {
    const notices: string[] = [];
    const state = readState(ctx.configDir);
    const before = state.servers[url];
    if (secrets) await secrets.choice.store.set(url, secrets.secrets);
    // Secrets left in another store by an earlier login must not linger there.
    const stale = before?.store !== choice?.store.kind ? before?.store : undefined;
    if (stale === 'file') await new FileStore(ctx.configDir).delete(url);
    let keychainItemLeft = false;
    if (choice?.store.kind !== 'keychain' && (stale === 'keychain' || before?.staleKeychainItem)) {
      const failure = await removeFromKeychain(ctx.env, url);
      if (failure) {
        keychainItemLeft = true;
        notices.push(`Note: the secrets of your earlier login to ${url} are still in the keychain (${failure}); the next osmo login or logout that reaches the keychain removes them, or run: ${keychainClearCommand(url)}`);
      }
    }
    state.servers[url] = { ...server, ...(choice ? { store: choice.store.kind } : {}), ...(keychainItemLeft ? { staleKeychainItem: true } : {}) };
    // A rotation under OSMO_URL updates that login without making it current.
    if (!opts.keepCurrent) state.current = url;
    // The fallback to the file is worth saying once per server, not at every login.
    const noted = state.fileFallbackNoted ?? [];
    if (choice?.notice && !noted.includes(url)) {
      notices.unshift(choice.notice);
      state.fileFallbackNoted = [...noted, url];
    }
    writeState(ctx.configDir, state);
    const replacedUser = before?.username && server.username && before.username !== server.username ? before.username : undefined;
    return { store: choice?.store.kind ?? 'none', notices, replacedUser };
  });
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

/**
 * Forgets logins everywhere their secrets may be stored: the given servers,
 * or with 'all' every server in the config file, the credentials file and the
 * keychain. A store that cannot be reached only matters where it holds a copy
 * (the keychain: where the login recorded it); what could not be removed is
 * reported, and the login is forgotten all the same, so osmo stops using it.
 * Also returns the config file's state as it is now, and the login made
 * current when the current one went and exactly one other was left, and
 * why credentials.json was removed whole when it could not be used.
 */
export async function forgetLogins(ctx: Services, which: string[] | 'all'): Promise<{ forgotten: Forgotten[]; state: State; switchedTo?: string; removedFile?: string }> {
  // Without a config directory there is no file to guard, and logging out must not create one.
  const lock = existsSync(ctx.configDir) ? await ctx.lock() : noLock;
  return lock(async () => {
    const state = readState(ctx.configDir);
    const file = new FileStore(ctx.configDir);
    // A credentials.json that others can reach, or a damaged one, cannot be
    // trusted or rewritten: logging out removes it whole (reported), and the
    // keychain copies all the same; logout must always work.
    let inFile: string[] = [];
    let unusableFile: string | undefined;
    try {
      inFile = await file.accounts();
    } catch (err) {
      unusableFile = reasonOf(err);
    }
    const keychain = await KeychainStore.open(ctx.env).catch((err: unknown) => reasonOf(err));
    const urls = which === 'all' ? await everyAccount(state, inFile, keychain) : which;
    // One rewrite of credentials.json for every server; if it fails, the secrets it held remain.
    let fromFile: string[] = [];
    let fileFailure: string | undefined;
    try {
      if (unusableFile === undefined) fromFile = await file.deleteMany(urls);
      else if (file.remove()) fromFile = urls.filter((url) => state.servers[url]?.store !== 'keychain');
    } catch (err) {
      fileFailure = reasonOf(err);
    }
    const forgotten: Forgotten[] = [];
    let changed = false;
    for (const url of urls) {
      const server = state.servers[url];
      if (server) changed = true;
      const result: Forgotten = { url, found: Boolean(server) || fromFile.includes(url), remains: [] };
      const fileHeld = unusableFile !== undefined ? state.servers[url]?.store !== 'keychain' : inFile.includes(url);
      if (fileFailure !== undefined && fileHeld) result.remains.push({ store: 'file', reason: fileFailure });
      const keychainHolds = server?.store === 'keychain' || Boolean(server?.staleKeychainItem);
      try {
        if (typeof keychain === 'string') throw new Error(keychain);
        if (await keychain.delete(url)) result.found = true;
      } catch (err) {
        if (keychainHolds) result.remains.push({ store: 'keychain', reason: reasonOf(err) });
      }
      delete state.servers[url];
      forgotten.push(result);
    }
    // `current` stays: a later `osmo login` with no URL logs in to it again;
    // but with exactly one login left, that one becomes current (as gh does).
    const left = Object.keys(state.servers);
    let switchedTo: string | undefined;
    if (which !== 'all' && state.current && urls.includes(state.current) && left.length === 1) {
      switchedTo = state.current = left[0]!;
      changed = true;
    }
    if (changed) writeState(ctx.configDir, state);
    return { forgotten, state, switchedTo, removedFile: unusableFile !== undefined && fileFailure === undefined ? unusableFile : undefined };
  });
}

/** Every server with a login or a secret anywhere, config file first. */
async function everyAccount(state: State, inFile: string[], keychain: KeychainStore | string): Promise<string[]> {
  const accounts = [...Object.keys(state.servers), ...inFile];
  if (typeof keychain !== 'string') accounts.push(...(await keychain.accounts().catch(() => [])));
  return [...new Set(accounts)];
}

/** Removes a server's keychain item; the reason when the keychain could not be reached. */
async function removeFromKeychain(env: NodeJS.ProcessEnv, url: string): Promise<string | undefined> {
  try {
    await (await KeychainStore.open(env)).delete(url);
    return undefined;
  } catch (err) {
    return reasonOf(err);
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
