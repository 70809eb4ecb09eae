import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OSMO_BIN = fileURLToPath(new URL('../../bin/osmo', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

const created: string[] = [];

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'osmo-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (created.push(dir) === 1) {
    process.once('exit', () => {
      for (const d of created) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/**
 * `path`, or where it has white space (a checkout in "my projects/"), a link
 * to it that has none: for variables that take a command line split at
 * spaces, as BROWSER does.
 */
export function withoutSpaces(path: string): string {
  if (!/\s/.test(path)) return path;
  const link = join(tempDir('osmo-link-'), basename(path));
  symlinkSync(path, link);
  return link;
}

let cacheHome: string | undefined;

/**
 * The code cache directory `npm run test:only` shares between its test files
 * (test/build-tests.mjs makes it, empty, at each run): osmo compiles each
 * command once per run, not once per test file (a cold start costs about
 * 75 ms more CPU than a warm one). Parallel runs sharing it are what osmo's
 * cache is made for. A test file run on its own, without one, gets its own.
 */
const SHARED_CACHE_HOME = fileURLToPath(new URL('../../.test-build/osmo-cache', import.meta.url));

function sharedCacheHome(): string | undefined {
  try {
    const st = lstatSync(SHARED_CACHE_HOME);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0 ? SHARED_CACHE_HOME : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A clean environment: nothing from the developer's own osmo setup leaks into
 * a test, and nothing a test runs writes into the developer's home: osmo's
 * compile cache goes to the run's shared XDG_CACHE_HOME (above) or a temporary one.
 * Nor the machine's NODE_EXTRA_CA_CERTS: which CAs osmo trusts is what some
 * tests are about (they set it themselves), the local servers use test CAs,
 * and Node reads and parses the whole bundle at every start (about 45 ms of
 * CPU where build machines set it: a third of the suite's time).
 */
export function baseEnv(configDir: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('OSMO_') || key === 'DBUS_SESSION_BUS_ADDRESS' || /_proxy$/i.test(key) || key === 'NODE_OPTIONS' || key === 'NODE_EXTRA_CA_CERTS') continue;
    env[key] = value;
  }
  cacheHome ??= sharedCacheHome() ?? tempDir('osmo-cache-');
  Object.assign(env, { OSMO_CONFIG_DIR: configDir, OSMO_CREDENTIAL_STORE: 'file', NO_COLOR: '1', XDG_CACHE_HOME: cacheHome });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * This process's environment for a `node --test` started from a test: without
 * NODE_TEST_CONTEXT, which node:test sets in its test files' processes and
 * which would make the new runner report to this run instead of on its own.
 */
export function outsideThisRun(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key, value]) => key !== 'NODE_TEST_CONTEXT' && value !== undefined)) as Record<string, string>;
  return { ...env, ...extra };
}

/** Runs the real bin/osmo as a child process. */
export function runOsmo(args: string[], configDir: string, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OSMO_BIN, ...args], { env: baseEnv(configDir, opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A fingerprint of every file under a directory, to prove a command changed nothing. */
export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(d, name);
      const st = statSync(path);
      hash.update(`${relative(dir, path)}:${st.mode.toString(8)}\n`);
      if (st.isDirectory()) walk(path);
      else hash.update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** Every file's content under a directory, joined, for leak checks. */
export function readTree(dir: string): string {
  let out = '';
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out += readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}
