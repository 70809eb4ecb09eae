// A second local Unix user, for attacks by a hostile neighbour on the same
// machine. Tests run as root in CI, so they can create a throw-away user and
// act as it with setpriv; elsewhere such a test is skipped (or, under
// OSMO_TEST_STRICT=1, fails: see unavailable.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from './cli.js';
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
