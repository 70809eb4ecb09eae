import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import siphash from 'siphash';
import { unsafeDirectory } from '../util/safe-path.js';

// osmo's V8 code cache (built on its own into dist/code-cache.cjs, which
// bin/run-bundle.js loads before the bundle): one file per command, per build
// of osmo and per Node version, under $XDG_CACHE_HOME/osmo (else
// ~/.cache/osmo). V8 runs a cache's compiled code instead of the source and
// checks little first (its version, its flags, the source's *length*), so a
// cache file is code. It is run only when osmo can tell that it wrote that
// very file itself, for this very bundle:
//
// - Beside each X.bin, X.tag holds a MAC, keyed with a per-user secret
//   (code-cache.key: 16 random bytes, mode 0600, made on first use), of what
//   the kernel says about both files: the bundle's and the cache's inode and
//   change time (ctime), and the cache's size. Any write to either file, a
//   copy, a restored backup or CI cache, a file planted by anyone, a cache of
//   another build of the same length: all change these, none can set a ctime
//   back, and nobody without the key can make a matching tag. Checking it
//   costs microseconds, where hashing the ~1.2 MB of bundle and cache with
//   node:crypto would cost several milliseconds of every start (loading
//   OpenSSL): the MAC is SipHash-2-4, made for short inputs.
// - A cache is fsynced before it is renamed into place and tagged, so a
//   crash cannot leave a torn one behind a valid tag. (V8 checksums a cache
//   only with --verify-snapshot-checksum, and setting any V8 flag at run time
//   costs every later built-in module its code cache: not worth it for damage
//   the kernel does not see, a failing disk.)
// - Every directory on the way must be one that nobody else can change
//   (src/util/safe-path.ts), and each file is opened once, without following
//   a symbolic link, and checked through that descriptor (a regular file of
//   the user's that nobody else can read or write) before it is read.
//
// Anything wrong means no cache, and a new one at the end: slower, never
// wrong, never fatal. NODE_DISABLE_COMPILE_CACHE=1 turns it all off.

const KEY_FILE = 'code-cache.key';
const KEY_BYTES = 16;
const TAG_BYTES = 8;
/** Far above any cache of this bundle (~1 MB): a larger file is not one. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** A temporary file this old belongs to no write in progress (one takes milliseconds): its writer died. */
const LEFTOVER_AGE_MS = 60_000;
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);

export interface CodeCache {
  /** False when turned off: then read() gives nothing and write() does nothing. */
  readonly enabled: boolean;
  log(line: string): void;
  /** The cache for this run, if there is one osmo can trust. */
  read(): Buffer | undefined;
  /** Stores what make() returns as this command's cache; never throws. */
  write(make: () => Buffer): void;
  /** How long read() took to find, check and read what it returned, in milliseconds. */
  readonly checkMs: number;
}

/** The cache of this command. `bundle` is the fstat (bigint) of the descriptor the bundle was read through. */
export function openCache(bundle: fs.BigIntStats, argv: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): CodeCache {
  const off: CodeCache = { enabled: false, log, read: () => undefined, write: () => {}, checkMs: 0 };
  if (env.NODE_DISABLE_COMPILE_CACHE === '1') {
    log('off (NODE_DISABLE_COMPILE_CACHE=1)');
    return off;
  }
  let base: string;
  try {
    base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  } catch {
    return off;
  }
  const top = join(base, 'osmo');
  const dir = join(top, `v8-${process.version}-${process.arch}`);
  // Which build a file belongs to, so that the files of earlier builds can be
  // removed; the tag, not the name, decides whether a file is used.
  const build = [bundle.size, bundle.mtimeMs, bundle.ino].map((n) => n.toString(36)).join('-');
  const name = `${build}-${commandKey(argv)}`;
  const file = join(dir, `${name}.bin`);
  const tagFile = join(dir, `${name}.tag`);
  const keyFile = join(top, KEY_FILE);
  let checkMs = 0;
  return {
    enabled: true,
    log,
    get checkMs() {
      return checkMs;
    },
    read() {
      const started = process.hrtime.bigint();
      const unsafe = unsafeWay(dir, top);
      if (unsafe) {
        log(`not used: ${unsafe}`);
        return undefined;
      }
      const opened = openPrivate(file, MAX_CACHE_BYTES);
      if ('missing' in opened) {
        log('none yet');
        return undefined;
      }
      if ('wrong' in opened) {
        log(`not used: ${file} ${opened.wrong}; replacing it`);
        return undefined;
      }
      try {
        const key = readSmall(keyFile, KEY_BYTES);
        const tag = readSmall(tagFile, TAG_BYTES);
        if (!key || !tag || !tagOf(key, bundle, opened.stat).equals(tag)) {
          log(`not used: ${file} was not written by osmo for this build, or was changed since; replacing it`);
          return undefined;
        }
        const bytes = fs.readFileSync(opened.fd);
        checkMs = Number(process.hrtime.bigint() - started) / 1e6;
        return bytes;
      } finally {
        fs.closeSync(opened.fd);
      }
    },
    write(make) {
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        return; // read-only, or not a directory: no cache, nothing else changes
      }
      const unsafe = unsafeWay(dir, top);
      if (unsafe) {
        log(`not written: ${unsafe}`);
        return;
      }
      sweep(dir, (entry) => !entry.startsWith(`${build}-`));
      sweep(top, () => false);
      const key = readSmall(keyFile, KEY_BYTES) ?? makeKey(keyFile);
      if (!key) return;
      // One writer at a time: two writers' renames could interleave and leave
      // one's cache beside the other's tag, refused (and rewritten) by every
      // later run. A claim left by a killed writer is swept like its .tmp files.
      const claim = `${file}.writing.tmp`;
      if (!writeNew(claim, Buffer.alloc(0))) {
        log('not written: another osmo is writing it');
        return;
      }
      try {
        const written = writeNew(`${file}.${process.pid}.tmp`, make(), file);
        if (!written) return;
        if (!writeNew(`${tagFile}.${process.pid}.tmp`, tagOf(key, bundle, written), tagFile)) {
          fs.rmSync(file, { force: true });
          return;
        }
        log(`written to ${file}`);
      } finally {
        fs.rmSync(claim, { force: true });
      }
    },
  };
}

/**
 * The command a run is for, as the cache file names it: up to two leading
 * words that look like command names (`token-list`), else `osmo`. User input
 * such as URLs and token names never becomes part of a file name.
 */
export function commandKey(argv: string[]): string {
  const words: string[] = [];
  for (const arg of argv) {
    if (words.length === 2 || !/^[a-z][a-z-]{0,29}$/.test(arg)) break;
    words.push(arg);
  }
  return words.length ? words.join('-') : 'osmo';
}

/** The MAC of a cache file: SipHash-2-4 under the user's key, of what the kernel says about the bundle and the cache file. */
export function tagOf(key: Buffer, bundle: fs.BigIntStats, cache: fs.BigIntStats): Buffer {
  const facts = Buffer.alloc(40);
  [bundle.ino, bundle.ctimeNs, cache.ino, cache.ctimeNs, cache.size].forEach((n, i) => facts.writeBigUInt64LE(BigInt.asUintN(64, n), i * 8));
  const words = [0, 4, 8, 12].map((at) => key.readUInt32LE(at));
  const { h, l } = siphash.hash(words, facts);
  const tag = Buffer.alloc(TAG_BYTES);
  tag.writeUInt32LE(l >>> 0, 0);
  tag.writeUInt32LE(h >>> 0, 4);
  return tag;
}

/** Why the cache directory cannot be trusted, or undefined when it can. */
function unsafeWay(dir: string, top: string): string | undefined {
  const found = unsafeDirectory(dir);
  if (found) {
    const why =
      found.problem === 'owner'
        ? `belongs to another user (uid ${found.uid})`
        : found.problem === 'writable'
          ? `is writable by others and not sticky (mode ${found.mode!.toString(8)})`
          : found.problem === 'not-directory'
            ? 'is not a directory'
            : `cannot be checked (${found.problem})`;
    return `${found.path} ${why}`;
  }
  // osmo's own two directories: the user's, and not even sticky-writable by others.
  for (const own of [top, dir]) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(own);
    } catch {
      return undefined; // not made yet: osmo makes them 0700
    }
    if (!ownedByUser(st) || (process.platform !== 'win32' && st.mode & 0o022)) return `${own} is not a directory that only you can write`;
  }
  return undefined;
}

type Opened = { fd: number; stat: fs.BigIntStats } | { missing: true } | { wrong: string };

/** Opens a file once, without following a link, and checks it through that descriptor: a regular file of the user's that nobody else can read or write. */
function openPrivate(file: string, maxBytes: number): Opened {
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { missing: true } : { wrong: code === 'ELOOP' ? 'is a symbolic link' : `cannot be read (${code})` };
  }
  const refuse = (wrong: string): Opened => {
    fs.closeSync(fd);
    return { wrong };
  };
  const stat = fs.fstatSync(fd, { bigint: true });
  if (!stat.isFile()) return refuse('is not a regular file');
  if (!ownedByUser(stat)) return refuse(`belongs to another user (uid ${stat.uid})`);
  if (process.platform !== 'win32' && stat.mode & 0o077n) return refuse(`is open to others (mode ${(stat.mode & 0o777n).toString(8)})`);
  if (stat.size > BigInt(maxBytes)) return refuse('is too large');
  return { fd, stat };
}

/** A private file of exactly `bytes` bytes (the key, a tag), else undefined. */
function readSmall(file: string, bytes: number): Buffer | undefined {
  const opened = openPrivate(file, bytes);
  if (!('fd' in opened)) return undefined;
  try {
    const data = fs.readFileSync(opened.fd);
    return data.length === bytes ? data : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(opened.fd);
  }
}

/**
 * A new key. Linked into place, so that it appears whole or not at all; if
 * another osmo made one meanwhile, that one is used; an unusable file of that
 * name (another user's, open to others, cut short) is replaced.
 */
function makeKey(keyFile: string): Buffer | undefined {
  // Only the very first run needs node:crypto, and loading it costs milliseconds.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { randomBytes } = require('node:crypto') as { randomBytes(size: number): Buffer };
  const tmp = `${keyFile}.${process.pid}.tmp`;
  if (!writeNew(tmp, randomBytes(KEY_BYTES))) return undefined;
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        fs.linkSync(tmp, keyFile);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
        const theirs = readSmall(keyFile, KEY_BYTES);
        if (theirs) return theirs;
        fs.rmSync(keyFile, { force: true });
      }
    }
    return readSmall(keyFile, KEY_BYTES);
  } catch {
    return undefined;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Writes `data` to a new file (never an existing one, never through a link),
 * mode 0600, and renames it to `to` if given; returns its fstat after the
 * rename (the ctime the tag needs). On any failure (a full disk) nothing is
 * left behind.
 */
function writeNew(tmp: string, data: Buffer, to?: string): fs.BigIntStats | undefined {
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
  } catch {
    return undefined;
  }
  let stat: fs.BigIntStats | undefined;
  try {
    for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done);
    if (to) {
      fs.fsyncSync(fd);
      fs.renameSync(tmp, to);
    }
    stat = fs.fstatSync(fd, { bigint: true });
  } catch {
    stat = undefined;
  }
  try {
    fs.closeSync(fd);
  } catch {
    stat = undefined;
  }
  if (!stat) fs.rmSync(tmp, { force: true });
  return stat;
}

/** Removes what will never be used again: files `unused` picks, and temporary files whose writer died. */
function sweep(dir: string, unused: (name: string) => boolean): void {
  try {
    const now = Date.now();
    for (const entry of fs.readdirSync(dir)) {
      const path = join(dir, entry);
      if (unused(entry)) fs.rmSync(path, { force: true });
      else if (entry.endsWith('.tmp') && now - fs.lstatSync(path).mtimeMs > LEFTOVER_AGE_MS) fs.rmSync(path, { force: true });
    }
  } catch {
    /* gone meanwhile, or not ours: left for the next write */
  }
}

function ownedByUser(st: { uid: number | bigint }): boolean {
  const uid = process.getuid?.();
  return uid === undefined || Number(st.uid) === uid;
}
