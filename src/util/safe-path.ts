import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';

// The rule OpenSSH applies to ~/.ssh, for osmo's config and cache
// directories: a directory whose contents osmo trusts (a token endpoint in
// config.json, compiled code in the cache) is only as safe as every directory
// on the way to it. Another user who can write any of them can move the rest
// of the path aside and put their own in its place. So every directory that
// resolving the path looks into must belong to the user or to root and be
// writable by nobody else, unless it is sticky (/tmp), where others cannot
// rename or remove what is not theirs.

const GROUP_OR_OTHERS_WRITE = 0o022;
const STICKY = 0o1000;
/** As the kernel's own limit on symbolic links in one lookup (Linux: 40). */
const MAX_LINKS = 40;

export interface UnsafeDirectory {
  path: string;
  /** 'owner': neither the user's nor root's; 'writable': group or others may write it and it is not sticky; else an errno code. */
  problem: 'owner' | 'writable' | 'not-directory' | 'links' | string;
  uid?: number;
  mode?: number;
}

/**
 * The first directory on the way to `target` (itself included) that another
 * user could change, or undefined when the whole way is safe. The path is
 * resolved one name at a time, following symbolic links as the kernel does,
 * so a link is only followed from a directory already found safe, and every
 * directory its target passes through is checked too. Where the path stops
 * existing, the rest is for osmo to create, privately. Always undefined where
 * there are no Unix owners (Windows).
 */
export function unsafeDirectory(target: string, uid = process.getuid?.()): UnsafeDirectory | undefined {
  if (uid === undefined) return undefined;
  const pending = resolve(target).split(sep).filter(Boolean);
  let dir: string = sep;
  let links = 0;
  let found = check(dir, uid);
  while (!found && pending.length) {
    const name = pending.shift()!;
    if (name === '.') continue;
    // `dir` is always a real directory here, so its parent is what `..` names.
    if (name === '..') {
      dir = dirname(dir);
      continue;
    }
    const next = join(dir, name);
    let st: Stats;
    try {
      st = lstatSync(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? undefined : { path: next, problem: code ?? 'error' };
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return { path: next, problem: 'links' };
      let to: string;
      try {
        to = readlinkSync(next);
      } catch (err) {
        return { path: next, problem: (err as NodeJS.ErrnoException).code ?? 'error' };
      }
      pending.unshift(...to.split(sep).filter(Boolean));
      if (isAbsolute(to)) {
        dir = sep;
        found = check(dir, uid);
      }
      continue;
    }
    found = verdict(next, st, uid);
    dir = next;
  }
  return found;
}

function check(dir: string, uid: number): UnsafeDirectory | undefined {
  try {
    return verdict(dir, lstatSync(dir), uid);
  } catch (err) {
    return { path: dir, problem: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
}

function verdict(path: string, st: Stats, uid: number): UnsafeDirectory | undefined {
  const seen = { path, uid: st.uid, mode: st.mode & 0o7777 };
  if (!st.isDirectory()) return { ...seen, problem: 'not-directory' };
  if (st.uid !== uid && st.uid !== 0) return { ...seen, problem: 'owner' };
  if (st.mode & GROUP_OR_OTHERS_WRITE && !(st.mode & STICKY)) return { ...seen, problem: 'writable' };
  return undefined;
}

/** "its group", "other users" or "group and others": who may write (or read) a file with these mode bits. */
export function whoMay(mode: number, bits: number): string {
  const group = (mode & bits & 0o070) !== 0;
  const others = (mode & bits & 0o007) !== 0;
  return group && others ? 'group and others' : group ? 'its group' : 'other users';
}
