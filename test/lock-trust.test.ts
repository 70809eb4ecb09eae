// Issue 19, findings 7 and 11: the renewal lock is never taken from a live
// holder on this machine, a holder that lost its lock re-reads before it
// writes, and each server has its own renewal lock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXCHANGE, newUser, tokenLogin, useServer, withJwtLifetime } from './helpers/fixtures.js';
import { OSMO_BIN, baseEnv, tempDir, type RunResult } from './helpers/cli.js';
import { until } from './helpers/wait.js';
import { configDirLock } from '../src/config/lock.js';
import { readState, writeState } from '../src/config/state.js';

const server = useServer();
const other = useServer();

/** A token login whose JWT the next command renews (it lives 20 s; renewal starts 30 s before expiry). */
async function renewingLogin(srv: ReturnType<typeof server>, setUp: ReturnType<typeof newUser>['setUp'], name: string): Promise<void> {
  await withJwtLifetime(srv, 20, () => tokenLogin(srv, setUp, 'user@example.com', name));
}

function start(args: string[], dir: string, env: Record<string, string> = {}): { child: ReturnType<typeof spawn>; done: Promise<RunResult & { at: number }> } {
  const child = spawn(process.execPath, [OSMO_BIN, ...args], { env: baseEnv(dir, env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<RunResult & { at: number }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, at: Date.now() })));
  return { child, done };
}

describe('finding 7: a live holder keeps its lock', () => {
  it('a holder paused (SIGSTOP) with its lock unmoved for a minute is waited for, not overtaken', { timeout: 60_000 }, async () => {
    const { setUp, dir } = newUser();
    await renewingLogin(server(), setUp, 'paused-holder');
    server().fault({ route: EXCHANGE, delayMs: 2_000 });
    const before = server().count(EXCHANGE);
    const holder = start(['token', 'list'], dir);
    await until('the holder\'s exchange', () => server().count(EXCHANGE) > before, { child: holder.done });
    holder.child.kill('SIGSTOP');
    try {
      // What a pause of more than 5 s does to the lock: its mtime stops moving (here: a minute ago).
      const locks = readdirSync(dir).filter((f) => f.endsWith('.lock'));
      assert.ok(locks.length > 0, 'the holder holds a lock');
      const minuteAgo = new Date(Date.now() - 60_000);
      for (const lock of locks) utimesSync(join(dir, lock), minuteAgo, minuteAgo);
      const waiter = start(['token', 'list'], dir);
      // Were the lock taken over, the waiter would renew at once (a second exchange).
      await sleep(2_000);
      assert.equal(server().count(EXCHANGE), before + 1, 'the waiter took the lock of a live, paused holder');
      holder.child.kill('SIGCONT');
      const [a, b] = await Promise.all([holder.done, waiter.done]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(server().count(EXCHANGE), before + 1, 'one exchange for the expiry');
    } finally {
      holder.child.kill('SIGCONT');
    }
  });

  it('a holder whose lock was taken over re-reads before it writes: a login made meanwhile stays', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o700);
    const lockDir = join(dir, 'state.lock');
    let runs = 0;
    await configDirLock(dir, 1_000)(async () => {
      runs++;
      const state = readState(dir);
      if (runs === 1) {
        // Meanwhile a process on another machine sharing this directory judged the holder gone,
        // took the lock and saved its own login (and has since stopped moving the lock).
        rmSync(lockDir, { recursive: true, force: true });
        mkdirSync(lockDir);
        writeFileSync(join(lockDir, 'owner'), '4242 another-machine\n');
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, current: 'https://b.example.com', servers: { 'https://b.example.com': { method: 'dev', username: 'b' } } }), { mode: 0o600 });
        const minuteAgo = new Date(Date.now() - 60_000);
        utimesSync(lockDir, minuteAgo, minuteAgo);
      }
      state.servers['https://a.example.com'] = { method: 'dev', username: 'a' };
      state.current = 'https://a.example.com';
      writeState(dir, state);
    });
    const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { servers: Record<string, unknown> };
    assert.deepEqual(Object.keys(saved.servers).sort(), ['https://a.example.com', 'https://b.example.com'], 'the other login was not erased');
    assert.equal(runs, 2, 'it ran again under the lock taken anew');
  });
});

describe('finding 11: one renewal lock per server', () => {
  it('a slow renewal for one server does not hold up a command for another; each still renews once', { timeout: 60_000 }, async () => {
    const { osmo, setUp, dir } = newUser();
    await renewingLogin(server(), setUp, 'slow-server');
    await renewingLogin(other(), setUp, 'fast-server');
    server().fault({ route: EXCHANGE, delayMs: 4_000, times: Infinity });
    const slowBefore = server().count(EXCHANGE);
    const fastBefore = other().count(EXCHANGE);
    const started = Date.now();
    assert.equal((await osmo(['switch', server().url])).code, 0);
    const slow = Array.from({ length: 3 }, () => start(['token', 'list'], dir));
    await until('the slow exchange', () => server().count(EXCHANGE) > slowBefore, { child: slow[0]!.done });
    // The slow commands have read which login is current; the next ones use the other server.
    const switched = await osmo(['switch', other().url]);
    assert.equal(switched.code, 0, switched.stderr);
    const fast = Array.from({ length: 3 }, () => start(['token', 'list'], dir));
    const fastDone = await Promise.all(fast.map((f) => f.done));
    const fastMs = Math.max(...fastDone.map((r) => r.at)) - started;
    for (const res of fastDone) assert.equal(res.code, 0, res.stderr);
    for (const res of fastDone) assert.match(res.stdout, /fast-server/);
    const slowDone = await Promise.all(slow.map((s) => s.done));
    for (const res of slowDone) assert.equal(res.code, 0, res.stderr);
    const slowMs = Math.max(...slowDone.map((r) => r.at)) - started;
    assert.ok(fastMs < slowMs - 1_500, `the other server's commands ended after ${fastMs} ms, the slow ones after ${slowMs} ms`);
    assert.equal(server().count(EXCHANGE), slowBefore + 1, 'one exchange per expiry on the slow server');
    assert.equal(other().count(EXCHANGE), fastBefore + 1, 'one exchange per expiry on the other');
    server().clearFaults();
  });
});
