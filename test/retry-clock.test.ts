// The back-off between retries of an idempotent request is one of osmo's own
// waits: it goes through the context's clock (Services.sleep), so in-process
// a test skips it on a TestClock and sees exactly how long osmo meant to wait.
// The real binary still waits in real time (test/faults.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LIST, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser, TestClock } from './helpers/in-process.js';
import { Context } from '../src/context.js';
import { tempDir } from './helpers/cli.js';

const clock = new TestClock();
const server = useServer({ now: clock.now });

describe('retries wait on the context\'s clock', () => {
  it('a 503 with Retry-After: 2 is retried after 2 s each time, then the answer is taken', async () => {
    const { osmo } = inProcessUser(clock);
    await tokenLogin(server(), osmo);
    server().fault({ route: LIST, status: 503, body: 'busy', headers: { 'retry-after': '2' }, times: 3 });
    const lists = server().count(LIST);
    const run = osmo(['token', 'list']);
    const waits = await clock.fastForward(run);
    const res = await run;
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(waits, [2000, 2000, 2000]);
    assert.equal(server().count(LIST), lists + 4);
  });

  it('without Retry-After the first retry waits half to all of 250 ms (full jitter)', async () => {
    const { osmo } = inProcessUser(clock);
    await tokenLogin(server(), osmo, 'user@example.com', 'jitter');
    server().fault({ route: LIST, status: 503, body: 'busy' });
    const run = osmo(['token', 'list']);
    const waits = await clock.fastForward(run);
    assert.equal((await run).code, 0);
    assert.equal(waits.length, 1, JSON.stringify(waits));
    assert.ok(waits[0]! >= 125 && waits[0]! <= 250, `waited ${waits[0]} ms`);
  });
});

describe('the real clock (Context.sleep, what bin/osmo waits with)', () => {
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, stdinIsTTY: false, stderrIsTTY: false };
  const ctx = new Context(io, { OSMO_CONFIG_DIR: tempDir() });

  it('waits in real time', async () => {
    const started = performance.now();
    await ctx.sleep(20);
    assert.ok(performance.now() - started >= 19, `woke after ${performance.now() - started} ms`);
  });

  it('stops at once when its signal aborts (the PKCE timeout once the callback came)', async () => {
    const stop = new AbortController();
    const started = performance.now();
    const wait = ctx.sleep(600_000, stop.signal);
    stop.abort();
    await assert.rejects(wait, { name: 'AbortError' });
    assert.ok(performance.now() - started < 1000);
  });
});
