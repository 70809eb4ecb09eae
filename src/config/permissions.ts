import { statSync, type Stats } from 'node:fs';
import { UsageError } from '../errors.js';

// What OpenSSH requires of ~/.ssh and a private key: another local user who
// can write the config directory could rename a forged config.json into it
// (pointing the OAuth token endpoint at their own listener) or plant a
// credentials.json; one who can read credentials.json has the secrets. Only
// the directory itself and its files are checked: a world-writable sticky
// parent such as /tmp is normal. Windows has no such modes: nothing to check.

const GROUP_OR_OTHERS_WRITE = 0o022;
const GROUP_OR_OTHERS_ANY = 0o077;

/** The config directory, if it exists: a directory of ours that only we can write. */
export function checkConfigDir(dir: string): void {
  const st = statIfExists(dir);
  if (!st) return;
  if (!st.isDirectory()) throw new UsageError(`the config directory ${dir} is not a directory`, 'point OSMO_CONFIG_DIR at a directory of your own');
  checkOwner(dir, st, 'the config directory');
  if (st.mode & GROUP_OR_OTHERS_WRITE) {
    throw new UsageError(`the config directory ${dir} is writable by ${who(st.mode, GROUP_OR_OTHERS_WRITE)} (mode ${mode(st)}), so they could replace its files`, `run \`chmod 700 ${dir}\``);
  }
}

/** A state file that holds no secret (config.json), if it exists: ours, and only we can write it. */
export function checkStateFile(path: string): void {
  const st = checkFile(path);
  if (st && st.mode & GROUP_OR_OTHERS_WRITE) {
    throw new UsageError(`${path} is writable by ${who(st.mode, GROUP_OR_OTHERS_WRITE)} (mode ${mode(st)})`, `run \`chmod 600 ${path}\``);
  }
}

/** A file holding secrets (credentials.json), if it exists: ours, and nobody else may read or write it. */
export function checkPrivateFile(path: string): void {
  const st = checkFile(path);
  if (st && st.mode & GROUP_OR_OTHERS_ANY) {
    throw new UsageError(`${path} holds secrets but is open to ${who(st.mode, GROUP_OR_OTHERS_ANY)} (mode ${mode(st)})`, `run \`chmod 600 ${path}\`, and log in again if others may have read it`);
  }
}

function checkFile(path: string): Stats | undefined {
  const st = statIfExists(path);
  if (!st) return undefined;
  if (!st.isFile()) throw new UsageError(`${path} is not a regular file`, `remove it and run \`osmo login\` again`);
  checkOwner(path, st, '');
  return st;
}

function checkOwner(path: string, st: Stats, what: string): void {
  const uid = process.getuid?.();
  if (uid === undefined || st.uid === uid) return;
  throw new UsageError(
    `${what ? `${what} ` : ''}${path} belongs to another user (uid ${st.uid}), so osmo will not trust it`,
    'use a config directory of your own (OSMO_CONFIG_DIR), or remove this one if you did not expect it',
  );
}

function statIfExists(path: string): Stats | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot check ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function who(fileMode: number, bits: number): string {
  const group = (fileMode & bits & 0o070) !== 0;
  const others = (fileMode & bits & 0o007) !== 0;
  return group && others ? 'group and others' : group ? 'its group' : 'other users';
}

function mode(st: Stats): string {
  return (st.mode & 0o777).toString(8);
}
