import { join } from 'node:path';
import { CREDENTIALS_FILE } from '../config/paths.js';
import { ExitCode, OsmoError } from '../errors.js';
import { KEYCHAIN_SERVICE } from '../store/keychain-store.js';
import { shellWord } from '../util/shell-words.js';

/** A copy of a login's secrets that logout could not remove. */
export interface Remains {
  store: 'keychain' | 'file';
  /** Why it could not be removed. */
  reason: string;
}

/** What logging out of one server did. */
export interface Forgotten {
  url: string;
  /** Whether anything was stored for this server. */
  found: boolean;
  remains: Remains[];
}

/**
 * The error a logout ends with when secrets remain somewhere: which servers'
 * secrets, in which store and why, and the command that removes them.
 */
export function remainsError(forgotten: Forgotten[], configDir: string): OsmoError | undefined {
  const left = forgotten.filter((f) => f.remains.length);
  if (!left.length) return undefined;
  const urls = left.map((f) => f.url);
  const where = (store: Remains['store']): Remains | undefined => left.flatMap((f) => f.remains).find((r) => r.store === store);
  const keychain = where('keychain');
  const file = where('file');
  const path = join(configDir, CREDENTIALS_FILE);
  const places = [keychain && `in the keychain (${keychain.reason})`, file && `in ${path} (${file.reason})`].filter(Boolean).join(' and ');
  const message = `logged out of ${list(urls)}, but ${urls.length === 1 ? 'its' : 'their'} secrets are still ${places}`;
  const again = `osmo logout ${urls.length === 1 ? urls[0] : '--all'}`;
  const hints = [];
  if (keychain) {
    const inKeychain = left.filter((f) => f.remains.some((r) => r.store === 'keychain')).map((f) => keychainClearCommand(f.url));
    hints.push(`run \`${again}\` where the keychain can be reached, or: ${inKeychain.join('; ')}`);
  }
  if (file) hints.push(`make ${path} readable and writable by you, then run \`${again}\` again`);
  return new OsmoError(message, ExitCode.user, hints.join('; '));
}

/** The system's own command that removes osmo's keychain item for a server. */
export function keychainClearCommand(url: string, platform: NodeJS.Platform = process.platform): string {
  const account = shellWord(url);
  switch (platform) {
    case 'darwin':
      return `security delete-generic-password -s ${KEYCHAIN_SERVICE} -a ${account}`;
    case 'win32':
      // keyring-rs (behind @napi-rs/keyring) names a Windows credential ACCOUNT.SERVICE.
      return `cmdkey /delete:${url}.${KEYCHAIN_SERVICE}`;
    default:
      // keyring-rs keeps the account in the Secret Service attribute "username".
      return `secret-tool clear service ${KEYCHAIN_SERVICE} username ${account}`;
  }
}

function list(items: string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Why a store could not be used or changed, as the user is told. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
