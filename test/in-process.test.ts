// The in-process harness (test/helpers/in-process.ts) answers as the real
// binary does, and its clock reaches both osmo and the local server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runOsmo, tempDir } from './helpers/cli.js';
import { EXCHANGE, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser, runInProcess, TestClock } from './helpers/in-process.js';

const clock = new TestClock();
const server = useServer({ now: clock.now, jwtLifetimeSeconds: 60 });

describe('in-process osmo', () => {
  it('gives the same exit code, stdout and stderr as bin/osmo', async () => {
    const cases: Array<{ args: string[]; input?: string }> = [
      { args: ['token', 'list'] },
      { args: ['token', 'list', '-t', 'json'] },
      { args: ['token', 'set', '9bad'] },
      { args: ['login', server().url, '--method', 'token', '--token', 'not-a-real-token'] },
      { args: ['login', server().url, '--method', 'token'], input: 'still-not-a-token\n' },
      { args: ['no-such-command'] },
    ];
    for (const { args, input } of cases) {
      const [childDir, ownDir] = [tempDir(), tempDir()];
      const child = await runOsmo(args, childDir, { input });
      const inProcess = await runInProcess(args, ownDir, { input });
      // Messages may name the config directory, which differs.
      const same = (res: typeof child, dir: string) => ({ ...res, stdout: res.stdout.replaceAll(dir, 'DIR'), stderr: res.stderr.replaceAll(dir, 'DIR') });
      assert.deepEqual(same(inProcess, ownDir), same(child, childDir), args.join(' '));
      assert.notEqual(child.code, 0, 'each case fails, with something to compare on stderr');
      assert.notEqual(child.stderr, '');
    }
  });

  it('logs in and runs commands against the local server, storing the login in its config directory', async () => {
    const { osmo, dir } = inProcessUser(clock);
    await tokenLogin(server(), osmo, 'user@example.com', 'in-process');
    const list = await osmo(['token', 'list', '-t', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /"token_name": ?"in-process"/);
    const binary = await runOsmo(['token', 'list', '-t', 'json'], dir);
    assert.equal(binary.code, 0, binary.stderr);
    assert.equal(binary.stdout, list.stdout, 'the binary reads the login the in-process run stored');
  });

  it('the clock ages the JWT for osmo and the server together: no sleep', async () => {
    const { osmo } = inProcessUser(clock);
    await tokenLogin(server(), osmo, 'user@example.com', 'aged');
    const before = server().count(EXCHANGE);
    // The clock is real time plus what the test adds: a margin of 10 s of real
    // time for a loaded machine between the login and the first list.
    clock.advance(20_000); // 40 s left: still fresh (osmo renews 30 s early)
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal(server().count(EXCHANGE), before);
    clock.advance(11_000); // 29 s left at most: renewed, and the new JWT is fresh by the same clock
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal(server().count(EXCHANGE), before + 1);
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal(server().count(EXCHANGE), before + 1);
  });

  it('TestClock only moves forward', () => {
    const c = new TestClock();
    const t = c.now();
    c.advance(5_000);
    assert.ok(c.now() - t >= 5_000);
    assert.throws(() => c.advance(-1), /only moves forward/);
  });
});
