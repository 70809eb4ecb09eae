// A second local Unix user, for attacks by a hostile neighbour on the same
// machine. Tests run as root in CI, so they can create a throw-away user and
// act as it with setpriv; elsewhere such a test is skipped (or, under
// OSMO_TEST_STRICT=1, fails: see unavailable.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { OSMO_BIN, tempDir } from './cli.js';
import { skipOrFail } from './unavailable.js';

const NAME = 'osmo-neighbour';

export interface OtherUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs a shell command as this user, with no supplementary groups. */
  sh(script: string, env?: Record<string, string>): string;
  /** A fresh directory the user owns, in a parent both users may enter. */
  ownDir(mode?: number): string;
}

let created = false;

function lookUp(): { uid: number; gid: number } | undefined {
  try {
    const [, , uid, gid] = execFileSync('getent', ['passwd', NAME], { encoding: 'utf8' }).trim().split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** The neighbour, created on first use and removed when the test process exits; undefined (after skipOrFail) where impossible. */
export function otherUser(t: TestContext): OtherUser | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    skipOrFail(t, 'a second Unix user needs root on Linux (the tests run as root in CI)');
    return undefined;
  }
  let ids = lookUp();
  if (!ids) {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME], { stdio: 'ignore' });
    } catch (err) {
      // Another test file may have created it at the same moment.
      if (!lookUp()) {
        skipOrFail(t, `useradd ${NAME} failed: ${(err as Error).message}`);
        return undefined;
      }
    }
    ids = lookUp();
    if (!created && ids) {
      created = true;
      process.once('exit', () => {
        try {
          execFileSync('userdel', [NAME], { stdio: 'ignore' });
        } catch {
          /* still in use by a parallel test file, or gone: left for the next run to reuse */
        }
      });
    }
  }
  if (!ids) {
    skipOrFail(t, `no user ${NAME}`);
    return undefined;
  }
  const { uid, gid } = ids;
  return {
    name: NAME,
    uid,
    gid,
    sh: (script, env = {}) =>
      execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'sh', '-c', script], {
        encoding: 'utf8',
        // Not the checkout, which may lie in a private home directory.
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...env },
      }),
    ownDir(mode = 0o755) {
      // A parent like /tmp (world-writable, sticky), where anyone may make a directory.
      const parent = tempDir('osmo-two-users-');
      chmodSync(parent, 0o1777);
      const dir = join(parent, 'shared');
      this.sh(`mkdir ${dir} && chmod ${mode.toString(8)} ${dir}`);
      return dir;
    },
  };
}

let staged: { node: string; osmo: string } | undefined;

/**
 * The node binary and the built osmo (bin/, dist/, package.json) where any
 * user can read them, for a test that runs osmo as another user: the
 * checkout may sit in a home directory of mode 0700 or 0750, or under
 * `mktemp -d`, which that user cannot enter. Copied once per test process,
 * after `npm run build`; node only when the other user could not reach it.
 */
export function stagedForOtherUsers(): { node: string; osmo: string } {
  if (staged) return staged;
  const dir = tempDir('osmo-staged-');
  chmodSync(dir, 0o755);
  const root = join(dirname(OSMO_BIN), '..');
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
  let node = process.execPath;
  if (!reachableByOthers(node)) {
    node = join(dir, 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
  }
  staged = { node, osmo: join(dir, 'bin', 'osmo') };
  return staged;
}

/** Whether a user who is neither the owner nor in the group may run `file`: o+x on it and on every directory above it. */
function reachableByOthers(file: string): boolean {
  for (let path = file; ; path = dirname(path)) {
    if ((statSync(path).mode & 0o001) === 0) return false;
    if (dirname(path) === path) return true;
  }
}
