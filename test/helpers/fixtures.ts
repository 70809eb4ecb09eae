import { after, before } from 'node:test';
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

/** A user's own config directory, and a runner bound to it. */
export function newUser(env: RunOptions['env'] = {}): { dir: string; osmo: (args: string[], opts?: RunOptions) => Promise<RunResult> } {
  const dir = tempDir();
  return { dir, osmo: (args, opts = {}) => runOsmo(args, dir, { ...opts, env: { ...env, ...opts.env } }) };
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

export function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
