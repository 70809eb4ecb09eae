// The local server can answer the PAT exchange as slowly as a real OSMO
// service (about 0.5 s: it loads its 4096-bit signing key twice per exchange),
// so that tests of many processes meet the timing they would meet in use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeDelayFromEnv, startOsmoServer, type OsmoServer } from './server/osmo-server.js';

async function timed(run: () => Promise<Response>): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const res = await run();
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}

const exchange = (srv: OsmoServer, token: string): Promise<Response> =>
  fetch(`${srv.url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
const list = (srv: OsmoServer): Promise<Response> => fetch(`${srv.url}/api/auth/access_token`, { headers: { 'x-osmo-user': 'user@example.com' } });

async function withServer(opts: Parameters<typeof startOsmoServer>[0], run: (srv: OsmoServer) => Promise<void>): Promise<void> {
  const srv = await startOsmoServer(opts);
  try {
    await run(srv);
  } finally {
    await srv.close();
  }
}

/**
 * Starts a server while OSMO_TEST_EXCHANGE_DELAY_MS is `value`. The server
 * reads it as it starts, before its first await, so the variable is set for
 * that synchronous moment only, and no other server started meanwhile sees it.
 */
function startWithEnvDelay(value: string, opts: Parameters<typeof startOsmoServer>[0]): Promise<OsmoServer> {
  const saved = process.env.OSMO_TEST_EXCHANGE_DELAY_MS;
  process.env.OSMO_TEST_EXCHANGE_DELAY_MS = value;
  try {
    return startOsmoServer(opts);
  } finally {
    if (saved === undefined) delete process.env.OSMO_TEST_EXCHANGE_DELAY_MS;
    else process.env.OSMO_TEST_EXCHANGE_DELAY_MS = saved;
  }
}

// One case after the other: a server's start (its key pair) holds up the
// event loop, which would add to what a case running beside it measures. The
// waits inside a case overlap instead.
describe('a slow PAT exchange', () => {
  it('exchangeDelayMs delays each exchange, by POST or GET, and nothing else', async () => {
    await withServer({ exchangeDelayMs: 1500 }, async (srv) => {
      const pat = srv.issuePat('user@example.com', 'slow');
      // At once: the list is answered without waiting for the exchanges in progress.
      const [post, get, other] = await Promise.all([
        timed(() => exchange(srv, pat)),
        timed(() => fetch(`${srv.url}/api/auth/jwt/access_token?access_token=${pat}`)),
        timed(() => list(srv)),
      ]);
      assert.equal(post.status, 200);
      assert.ok(post.ms >= 1500, `POST took ${post.ms} ms`);
      assert.equal(get.status, 200);
      assert.ok(get.ms >= 1500, `GET took ${get.ms} ms`);
      assert.equal(other.status, 200);
      assert.ok(other.ms < 1000, `a list took ${other.ms} ms`);
    });
  });

  it('by default the exchange answers at once', async () => {
    await withServer({}, async (srv) => {
      await timed(() => list(srv)); // the first request of a process pays for loading fetch
      const fast = await timed(() => exchange(srv, srv.issuePat('user@example.com', 'fast')));
      assert.equal(fast.status, 200);
      assert.ok(fast.ms < 450, `took ${fast.ms} ms`);
    });
  });

  it('OSMO_TEST_EXCHANGE_DELAY_MS sets the default; the option wins over it; a bad value is refused', async () => {
    assert.equal(exchangeDelayFromEnv({}), 0);
    assert.equal(exchangeDelayFromEnv({ OSMO_TEST_EXCHANGE_DELAY_MS: '' }), 0);
    assert.equal(exchangeDelayFromEnv({ OSMO_TEST_EXCHANGE_DELAY_MS: '500' }), 500);
    assert.throws(() => exchangeDelayFromEnv({ OSMO_TEST_EXCHANGE_DELAY_MS: 'slow' }), /OSMO_TEST_EXCHANGE_DELAY_MS must be a number of milliseconds, not "slow"/);
    const [envSlow, optionFast] = await Promise.all([startWithEnvDelay('1500', {}), startWithEnvDelay('1500', { exchangeDelayMs: 0 })]);
    try {
      const [slow, fast] = await Promise.all([
        timed(() => exchange(envSlow, envSlow.issuePat('user@example.com', 'env-slow'))),
        timed(() => exchange(optionFast, optionFast.issuePat('user@example.com', 'env-fast'))),
      ]);
      assert.ok(slow.ms >= 1500, `took ${slow.ms} ms`);
      assert.ok(fast.ms < 1000, `took ${fast.ms} ms`);
    } finally {
      await Promise.all([envSlow.close(), optionFast.close()]);
    }
  });

  it('a fault on the exchange route is answered as set, without the delay on top', async () => {
    await withServer({ exchangeDelayMs: 2000 }, async (srv) => {
      srv.fault({ route: 'POST /api/auth/jwt/access_token', status: 502, body: 'Bad Gateway', contentType: 'text/plain' });
      const faulted = await timed(() => exchange(srv, 'x'));
      assert.equal(faulted.status, 502);
      assert.ok(faulted.ms < 1000, `took ${faulted.ms} ms`);
    });
  });
});
