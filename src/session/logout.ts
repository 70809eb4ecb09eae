import { existsSync } from 'node:fs';
import type { Storage } from '../services.js';
import type { State } from '../config/state.js';
import { noLock } from '../config/lock-type.js';
import type { CredentialStore } from '../store/credential-store.js';
import { reasonOf, type Forgotten } from './leftovers.js';

// `osmo logout`: forgetting logins, wherever their secrets are stored.

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
export async function forgetLogins(ctx: Storage, which: string[] | 'all'): Promise<{ forgotten: Forgotten[]; state: State; switchedTo?: string; removedFile?: string }> {
  // Without a config directory there is no file to guard, and logging out must not create one.
  const lock = existsSync(ctx.configDir) ? await ctx.lock() : noLock;
  return lock(async () => {
    const state = await ctx.state();
    const file = await ctx.fileStore();
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
    const keychain = await ctx.keychain().catch((err: unknown) => reasonOf(err));
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
    if (changed) await ctx.saveState(state);
    return { forgotten, state, switchedTo, removedFile: unusableFile !== undefined && fileFailure === undefined ? unusableFile : undefined };
  });
}

/** Every server with a login or a secret anywhere, config file first. */
async function everyAccount(state: State, inFile: string[], keychain: CredentialStore | string): Promise<string[]> {
  const accounts = [...Object.keys(state.servers), ...inFile];
  if (typeof keychain !== 'string') accounts.push(...(await keychain.accounts().catch(() => [])));
  return [...new Set(accounts)];
}
