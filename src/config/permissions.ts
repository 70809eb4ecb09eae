import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { UsageError } from '../errors.js';
import { unsafeDirectory, whoMay } from '../util/safe-path.js';

// What OpenSSH requires of ~/.ssh and a private key: another local user who
// can write the config directory could rename a forged config.json into it
// (pointing the OAuth token endpoint at their own listener) or plant a
// credentials.json; one who can read credentials.json has the secrets; one
// who can write any directory on the way to it can put a directory of their
// own in its place (src/util/safe-path.ts: a sticky one such as /tmp is fine).
// Files are opened once and checked through that descriptor, so that what is
// read is what was checked. Windows has no such modes: nothing to check.

const GROUP_OR_OTHERS_WRITE = 0o022;
const GROUP_OR_OTHERS_ANY = 0o077;

/** The config directory, if it exists: a directory of ours that only we can write, on a way nobody else can change. */
export function checkConfigDir(dir: string): void {
  const st = statIfExists(dir);
  if (st) {
    if (!st.isDirectory()) throw new UsageError(`the config directory ${dir} is not a directory`, 'point OSMO_CONFIG_DIR at a directory of your own');
    checkOwner(dir, st, 'the config directory');
    if (st.mode & GROUP_OR_OTHERS_WRITE) {
      throw new UsageError(`the config directory ${dir} is writable by ${whoMay(st.mode, GROUP_OR_OTHERS_WRITE)} (mode ${mode(st)}), so they could replace its files`, `run \`chmod 700 ${dir}\``);
    }
  }
  if (process.platform === 'win32') return;
  const found = unsafeDirectory(dir);
  if (!found) return;
  const where = `${found.path}, on the way to the config directory ${dir},`;
  const elsewhere = 'or use a config directory elsewhere (OSMO_CONFIG_DIR)';
  if (found.problem === 'owner') {
    throw new UsageError(`${where} belongs to another user (uid ${found.uid}), who could replace the config directory`, `use a config directory elsewhere (OSMO_CONFIG_DIR)`);
  }
  if (found.problem === 'writable') {
    const bits = found.mode! & GROUP_OR_OTHERS_WRITE;
    const chmod = bits === 0o022 ? 'go-w' : bits & 0o020 ? 'g-w' : 'o-w';
    throw new UsageError(
      `${where} is writable by ${whoMay(found.mode!, GROUP_OR_OTHERS_WRITE)} (mode ${found.mode!.toString(8)}) and not sticky, so they could replace the config directory`,
      `run \`chmod ${chmod} ${found.path}\` (or \`chmod +t ${found.path}\`), ${elsewhere}`,
    );
  }
  if (found.problem === 'not-directory') throw new UsageError(`${found.path} is not a directory`, 'point OSMO_CONFIG_DIR at a directory of your own');
  throw new UsageError(`cannot check ${found.path}, on the way to the config directory ${dir}: ${found.problem}`, elsewhere.replace(/^or u/, 'U'));
}

/**
 * The text of config.json ('state': ours, and only we can write it) or
 * credentials.json ('secret': nobody else may read or write it either), or
 * undefined when there is none. Opened once, never through a symbolic link,
 * and checked through that descriptor: what is read is what was checked.
 */
export function readCheckedFile(path: string, kind: 'state' | 'secret'): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UsageError(`${path} is a symbolic link, not a regular file`, 'remove it and run `osmo login` again');
    throw new UsageError(`cannot read ${path}: ${code ?? 'error'}`);
  }
  try {
    const st = fstatSync(fd);
    if (process.platform !== 'win32') {
      checkFileStats(path, st);
      if (kind === 'state') checkStateMode(path, st);
      else checkPrivateMode(path, st);
    }
    return readFileSync(fd, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  } finally {
    closeSync(fd);
  }
}

function checkStateMode(path: string, st: Stats): void {
  if (st.mode & GROUP_OR_OTHERS_WRITE) {
    throw new UsageError(`${path} is writable by ${whoMay(st.mode, GROUP_OR_OTHERS_WRITE)} (mode ${mode(st)})`, `run \`chmod 600 ${path}\``);
  }
}

function checkPrivateMode(path: string, st: Stats): void {
  if (st.mode & GROUP_OR_OTHERS_ANY) {
    throw new UsageError(`${path} holds secrets but is open to ${whoMay(st.mode, GROUP_OR_OTHERS_ANY)} (mode ${mode(st)})`, `run \`chmod 600 ${path}\`, and log in again if others may have read it`);
  }
}

function checkFileStats(path: string, st: Stats): void {
  if (!st.isFile()) throw new UsageError(`${path} is not a regular file`, `remove it and run \`osmo login\` again`);
  checkOwner(path, st, '');
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

function mode(st: Stats): string {
  return (st.mode & 0o777).toString(8);
}
