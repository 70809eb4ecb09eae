import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOsmoServer, type OsmoServer, type OsmoServerOptions } from '../server/osmo-server.js';
import { runOsmo, tempDir, type RunOptions, type RunResult } from './cli.js';

export const EXCHANGE = 'POST /api/auth/jwt/access_token';
export const LIST = 'GET /api/auth/access_token';

/** One local OSMO server per test file, started on 127.0.0.1 port 0. */
export function useServer(opts: OsmoServerOptions = {}): () => OsmoServer {
  let server: OsmoServer | undefined;
  before(async () => {
    server = await startOsmoServer(opts);
  });
  after(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('server not started');
    return server;
  };
}

type Runner = (args: string[], opts?: RunOptions) => Promise<RunResult>;

/**
 * A user's own config directory, and two runners bound to it: `osmo` runs the
 * real bin/osmo; `setUp` runs the same command in-process (test/helpers/in-process.ts),
 * same directory and environment, for the state a test builds on rather than
 * the command it checks (a login before the `token list` under test): the same
 * files, without a Node start-up.
 */
export function newUser(env: RunOptions['env'] = {}): { dir: string; osmo: Runner; setUp: Runner } {
  const dir = tempDir();
  const withEnv = (opts: RunOptions): RunOptions => ({ ...opts, env: { ...env, ...opts.env } });
  return {
    dir,
    osmo: (args, opts = {}) => runOsmo(args, dir, withEnv(opts)),
    // Loaded when first used: it brings all of src/, which files that only run bin/osmo do not need.
    setUp: async (args, opts = {}) => (await import('./in-process.js')).runInProcess(args, dir, withEnv(opts)),
  };
}

/** Logs in with a freshly seeded PAT through --token-file; returns the PAT. */
export async function tokenLogin(server: OsmoServer, osmo: (args: string[], opts?: RunOptions) => Promise<RunResult>, user = 'user@example.com', name = 'ci-token'): Promise<string> {
  const pat = server.issuePat(user, name);
  const dir = tempDir('osmo-pat-');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${dir}/token`, `${pat}\n`, { mode: 0o600 });
  const res = await osmo(['login', server.url, '--method', 'token', '--token-file', `${dir}/token`]);
  if (res.code !== 0) throw new Error(`token login failed: ${res.stderr}`);
  return pat;
}

/**
 * Runs `run` while the server issues JWTs that live `seconds` (it issues 300
 * otherwise). The client renews 30 s before expiry, so 31 s makes a login
 * that the next command, a second later, renews; 20 s, one stale at once.
 */
export async function withJwtLifetime<T>(server: OsmoServer, seconds: number, run: () => Promise<T>): Promise<T> {
  server.setJwtLifetime(seconds);
  try {
    return await run();
  } finally {
    server.setJwtLifetime(300);
  }
}

/**
 * Starts `start()` (an `osmo login --method code`, say), waits for the device
 * code it asks the server for, then lets `act` approve, deny or expire it;
 * returns the run. Fails with what osmo said when no code appears within 10 s.
 */
export async function withDeviceCode(server: OsmoServer, start: () => Promise<RunResult>, act: (userCode: string) => void): Promise<RunResult> {
  const earlier = new Set(server.oauth.pendingUserCodes());
  const run = start();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const code = server.oauth.pendingUserCodes().find((c) => !earlier.has(c));
    if (code) {
      act(code);
      return run;
    }
    if (Date.now() > deadline) throw new Error(`no device code appeared; osmo said: ${JSON.stringify(await run)}`);
    await sleep(50);
  }
}

export function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
