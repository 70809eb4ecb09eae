import type { Settings, Storage } from '../services.js';
import type { ServerState } from '../config/state.js';
import type { Secrets } from '../store/credential-store.js';
import { chooseStoreForLogin, type StoreChoice } from '../store/choose-store.js';
import { keychainClearCommand, reasonOf } from './leftovers.js';

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
export function chooseStore(ctx: Settings & Storage): Promise<StoreChoice> {
  return chooseStoreForLogin(ctx.env, ctx);
}

/**
 * Records a successful login: secrets in the chosen store, the rest in the
 * config file, and this server as the current one (unless `keepCurrent`).
 * Other servers' logins stay.
 */
export async function saveLogin(
  ctx: Storage,
  url: string,
  server: Omit<ServerState, 'store'>,
  secrets?: { secrets: Secrets; choice: StoreChoice },
  opts: { keepCurrent?: boolean } = {},
): Promise<SavedLogin> {
  const choice = secrets?.choice;
  const lock = await ctx.lock();
  return lock(async () => {
    const notices: string[] = [];
    const state = await ctx.state();
    const before = state.servers[url];
    if (secrets) await secrets.choice.store.set(url, secrets.secrets);
    // Secrets left in another store by an earlier login must not linger there.
    const stale = before?.store !== choice?.store.kind ? before?.store : undefined;
    if (stale === 'file') await (await ctx.fileStore()).delete(url);
    let keychainItemLeft = false;
    if (choice?.store.kind !== 'keychain' && (stale === 'keychain' || before?.staleKeychainItem)) {
      const failure = await removeFromKeychain(ctx, url);
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
    await ctx.saveState(state);
    const replacedUser = before?.username && server.username && before.username !== server.username ? before.username : undefined;
    return { store: choice?.store.kind ?? 'none', notices, replacedUser };
  });
}

/** Remembers when the PAT behind a token login expires, as seen in a fresh `token list`. */
export async function recordPatExpiry(ctx: Storage, url: string, patExpiresAt: string): Promise<void> {
  const lock = await ctx.lock();
  await lock(async () => {
    const state = await ctx.state();
    const server = state.servers[url];
    if (!server || server.patExpiresAt === patExpiresAt) return;
    state.servers[url] = { ...server, patExpiresAt };
    await ctx.saveState(state);
  });
}

/** Removes a server's keychain item; the reason when the keychain could not be reached. */
async function removeFromKeychain(ctx: Storage, url: string): Promise<string | undefined> {
  try {
    await (await ctx.keychain()).delete(url);
    return undefined;
  } catch (err) {
    return reasonOf(err);
  }
}
