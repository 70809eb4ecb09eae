// Ctrl-C while a request hangs: exit 130, no stack trace, stored state intact,
// and the config-directory lock released for the next command.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { OSMO_BIN, baseEnv, hashTree, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { EXCHANGE, LIST, futureDate } from './helpers/fixtures.js';
import { writeState } from '../src/config/state.js';

const HANG = 60_000;

interface Row {
  name: string;
  /** Prepares a config directory; returns it, the command and the route that will hang. */
  arrange: (server: OsmoServer) => Promise<{ dir: string; args: string[]; route: string }>;
}

function tokenFile(pat: string): string {
  const file = join(tempDir('osmo-pat-'), 'token');
  writeFileSync(file, `${pat}\n`, { mode: 0o600 });
  return file;
}

async function tokenUser(server: OsmoServer): Promise<string> {
  const dir = tempDir();
  const res = await runOsmo(['login', server.url, '--method', 'token', '--token-file', tokenFile(server.issuePat('user@example.com', 'ci-token'))], dir);
  assert.equal(res.code, 0, res.stderr);
  return dir;
}

const rows: Row[] = [
  {
    name: 'token list of a developer login, while the GET hangs',
    arrange: async (server) => {
      const dir = tempDir();
      writeState(dir, { version: 1, current: server.url, servers: { [server.url]: { method: 'dev', username: 'user@example.com' } } });
      return { dir, args: ['token', 'list'], route: LIST };
    },
  },
  {
    name: 'token set of a token login, while the POST create hangs',
    arrange: async (server) => ({ dir: await tokenUser(server), args: ['token', 'set', 'ok', '-e', futureDate(5)], route: 'POST /api/auth/access_token/ok' }),
  },
  {
    name: 'token list of a token login whose JWT expired, while the exchange hangs under the lock',
    arrange: async (server) => {
      server.setJwtLifetime(5); // inside the refresh margin: the next command renews first, holding the lock
      return { dir: await tokenUser(server), args: ['token', 'list'], route: EXCHANGE };
    },
  },
  {
    name: 'login by token over an existing login, while the exchange hangs',
    arrange: async (server) => {
      const dir = await tokenUser(server);
      return { dir, args: ['login', server.url, '--method', 'token', '--token-file', tokenFile(server.issuePat('user@example.com', 'other-token'))], route: EXCHANGE };
    },
  },
];

/** Starts bin/osmo, waits until its request reaches the server, then sends SIGINT. */
async function interruptDuringRequest(server: OsmoServer, dir: string, args: string[], route: string): Promise<RunResult & { ms: number }> {
  const child = spawn(process.execPath, [OSMO_BIN, ...args], { env: baseEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
  const deadline = Date.now() + 10_000;
  while (server.count(route) === 0) {
    assert.ok(Date.now() < deadline, `the request never reached ${route}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const sentAt = Date.now();
  child.kill('SIGINT');
  const guard = setTimeout(() => child.kill('SIGKILL'), 5_000);
  const [code, signal] = await closed;
  clearTimeout(guard);
  return { code, signal, stdout, stderr, ms: Date.now() - sentAt };
}

describe('SIGINT during a request', { concurrency: 4 }, () => {
  for (const row of rows) {
    it(`${row.name}: exit 130, no stack trace, state intact`, async () => {
      const server = await startOsmoServer();
      try {
        const { dir, args, route } = await row.arrange(server);
        server.resetCounts();
        server.fault({ route, delayMs: HANG });
        const hashBefore = hashTree(dir);

        const res = await interruptDuringRequest(server, dir, args, route);

        assert.equal(res.signal, null, 'exited by itself, not killed');
        assert.equal(res.code, 130, res.stderr);
        assert.ok(res.ms < 2_000, `took ${res.ms} ms to stop`);
        assert.equal(res.stderr.replace(/^\[debug\].*\n/gm, '').trim(), 'Interrupted');
        assert.doesNotMatch(res.stderr, /^\s+at |Error/m);
        assert.equal(hashTree(dir), hashBefore, 'stored state unchanged (and no lock left behind)');

        // The login still works at once: no torn file, no stale lock to wait out.
        server.clearFaults();
        const started = Date.now();
        const after = await runOsmo(['token', 'list'], dir);
        assert.equal(after.code, 0, after.stderr);
        assert.ok(Date.now() - started < 5_000, 'no wait for a stale lock');
      } finally {
        await server.close();
      }
    });
  }
});
