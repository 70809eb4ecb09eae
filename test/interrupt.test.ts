// Ctrl-C while a request hangs: osmo ends by SIGINT (a shell sees 130 and
// stops), no stack trace, stored state intact, and the config-directory lock
// released for the next command. Then the same as a shell sees it: a command
// list or loop around osmo stops at the first Ctrl-C, also at the hidden
// prompts (on a pseudo-terminal), and SIGTERM ends osmo as SIGTERM (143).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer, type OsmoServer } from './server/osmo-server.js';
import { OSMO_BIN, baseEnv, hashTree, tempDir, type RunResult } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { EXCHANGE, LIST, futureDate } from './helpers/fixtures.js';
import { writeState } from '../src/config/state.js';
import { havePty, runInPty } from './helpers/pty.js';
import { skipOrFail } from './helpers/unavailable.js';
import { until } from './helpers/wait.js';

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

/**
 * osmo in-process, for what only prepares or checks the interrupted process.
 * One run at a time: in-process runs share this process's module state (the
 * lock's guard on state writes is one per process), and the rows run at once.
 * `ms`: how long the run itself took, its turn in the queue left out.
 */
let inProcessQueue: Promise<unknown> = Promise.resolve();
function osmoInProcess(args: string[], dir: string): Promise<RunResult & { ms: number }> {
  const run = inProcessQueue.then(async () => {
    const started = Date.now();
    const res = await runInProcess(args, dir);
    return { ...res, ms: Date.now() - started };
  });
  inProcessQueue = run.catch(() => undefined);
  return run;
}

async function tokenUser(server: OsmoServer): Promise<string> {
  const dir = tempDir();
  const res = await osmoInProcess(['login', server.url, '--method', 'token', '--token-file', tokenFile(server.issuePat('user@example.com', 'ci-token'))], dir);
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
  await until(`the request to ${route}`, () => server.count(route) > 0, { child: closed, detail: () => stderr });
  const sentAt = Date.now();
  child.kill('SIGINT');
  const guard = setTimeout(() => child.kill('SIGKILL'), 5_000);
  const [code, signal] = await closed;
  clearTimeout(guard);
  return { code, signal, stdout, stderr, ms: Date.now() - sentAt };
}

describe('SIGINT during a request', { concurrency: 4 }, () => {
  for (const row of rows) {
    it(`${row.name}: ends by SIGINT, no stack trace, state intact`, async () => {
      const server = await startOsmoServer();
      try {
        const { dir, args, route } = await row.arrange(server);
        server.resetCounts();
        server.fault({ route, delayMs: HANG });
        const hashBefore = hashTree(dir);

        const res = await interruptDuringRequest(server, dir, args, route);

        // By the signal itself, not exit(130): only then does a calling shell stop too.
        assert.equal(res.signal, 'SIGINT', res.stderr);
        assert.equal(res.code, null, res.stderr);
        assert.ok(res.ms < 2_000, `took ${res.ms} ms to stop`);
        assert.equal(res.stderr.replace(/^\[debug\].*\n/gm, '').trim(), 'Interrupted');
        assert.doesNotMatch(res.stderr, /^\s+at |Error/m);
        assert.equal(hashTree(dir), hashBefore, 'stored state unchanged (and no lock left behind)');

        // The login still works at once: no torn file, no stale lock to wait out
        // (in-process: the same store and lock, read as the next process would).
        server.clearFaults();
        const after = await osmoInProcess(['token', 'list'], dir);
        assert.equal(after.code, 0, after.stderr);
        assert.ok(after.ms < 5_000, 'no wait for a stale lock');
      } finally {
        await server.close();
      }
    });
  }
});

/** Runs `bash -c script` in its own process group, as a terminal runs a job, with bin/osmo as `osmo`. */
function startShell(script: string, env: Record<string, string>): { pid: number; done: Promise<RunResult> } {
  const child = spawn('bash', ['-c', script], { env: { ...env, TEST_NODE: process.execPath, TEST_OSMO: OSMO_BIN }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { pid: child.pid!, done };
}

describe('Ctrl-C stops the shell script around osmo', { concurrency: 2 }, () => {
  it('`osmo login URL --method code; echo AFTER`: one Ctrl-C while waiting for approval ends both, storing nothing', async () => {
    const server = await startOsmoServer();
    try {
      const dir = tempDir();
      const shell = startShell(`"$TEST_NODE" "$TEST_OSMO" login ${server.url} --method code; echo AFTER`, baseEnv(dir));
      await until('the device code', () => server.oauth.pendingUserCodes().length > 0, { child: shell.done });
      process.kill(-shell.pid, 'SIGINT'); // what the terminal does on Ctrl-C: the whole foreground group
      const res = await shell.done;
      assert.doesNotMatch(res.stdout, /AFTER/, 'the shell went on after osmo');
      assert.equal(res.signal, 'SIGINT', 'the shell itself stopped on the interrupt');
      assert.match(res.stderr, /\nInterrupted\n$/);
      assert.deepEqual(readdirSync(dir), [], 'nothing stored');
    } finally {
      await server.close();
    }
  });

  it('a `for` loop around osmo stops at the first Ctrl-C, in the middle of a request', async () => {
    const server = await startOsmoServer();
    try {
      const dir = tempDir();
      writeState(dir, { version: 1, current: server.url, servers: { [server.url]: { method: 'dev', username: 'user@example.com' } } });
      server.fault({ route: LIST, delayMs: HANG, times: Infinity });
      const before = hashTree(dir);
      const shell = startShell('for i in 1 2 3; do "$TEST_NODE" "$TEST_OSMO" token list; echo "ran $i"; done; echo AFTER', baseEnv(dir));
      await until('the first request', () => server.count(LIST) > 0, { child: shell.done });
      process.kill(-shell.pid, 'SIGINT');
      const res = await shell.done;
      assert.doesNotMatch(res.stdout, /ran|AFTER/);
      assert.equal(server.count(LIST), 1, 'no second iteration');
      assert.equal(res.signal, 'SIGINT');
      assert.equal(hashTree(dir), before);
    } finally {
      await server.close();
    }
  });

  it('SIGTERM ends osmo by SIGTERM: the shell sees 143', async () => {
    const server = await startOsmoServer();
    try {
      const dir = tempDir();
      const shell = startShell(`"$TEST_NODE" "$TEST_OSMO" login ${server.url} --method code; echo "status $?"`, baseEnv(dir));
      await until('the device code', () => server.oauth.pendingUserCodes().length > 0, { child: shell.done });
      // Only osmo gets it (`kill PID`, a container stopping it): the shell reports how it ended.
      const osmoPid = Number(readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
      process.kill(osmoPid, 'SIGTERM');
      const res = await shell.done;
      assert.match(res.stdout, /\nstatus 143\n$/, res.stderr);
      assert.match(res.stderr, /\nInterrupted\n/);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await server.close();
    }
  });
});

describe('Ctrl-C at a hidden prompt (on a terminal)', { concurrency: 2 }, () => {
  const prompts = [
    { name: 'Access token:', args: (url: string) => `login ${url} --method token`, after: 'Access token:' },
    { name: 'Password:', args: (url: string) => `login ${url} --method password --username svc@example.com`, after: 'Password:' },
  ];
  for (const prompt of prompts) {
    it(`at "${prompt.name}" prints Interrupted, stores nothing and stops the shell`, async (t) => {
      if (!havePty()) return skipOrFail(t, 'python3 with its pty module is needed for a pseudo-terminal');
      const server = await startOsmoServer();
      try {
        const dir = tempDir();
        const env = { ...baseEnv(dir), TEST_NODE: process.execPath, TEST_OSMO: OSMO_BIN };
        const res = await runInPty(`"$TEST_NODE" "$TEST_OSMO" ${prompt.args(server.url)}; echo AFTER`, env, [{ after: prompt.after, send: '\x03' }]);
        assert.doesNotMatch(res.output, /AFTER/, res.output);
        assert.equal(res.signal, 2, `the shell ends by SIGINT: ${JSON.stringify(res)}`);
        assert.match(res.output, /\r\nInterrupted\r\n$/);
        assert.doesNotMatch(res.output, /Error|unexpected/);
        assert.deepEqual(readdirSync(dir), [], 'nothing stored');
        assert.equal(server.count(), 0, 'nothing sent');
      } finally {
        await server.close();
      }
    });
  }
});
