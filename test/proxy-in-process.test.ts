// osmo run in-process takes its proxy from the environment main() was given,
// never from the process it runs in (src/http/transport.ts reads the
// context's env): the proxy a test names is the one used, and only that.
// The proxy and private-CA cases themselves are in test/proxy-ca.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenLogin, useServer } from './helpers/fixtures.js';
import { loginAndListThroughProxy, startConnectProxy, type ConnectProxy } from './helpers/connect-proxy.js';
import { inProcessUser } from './helpers/in-process.js';
import { makeTestCa } from './helpers/test-ca.js';
import { closedPort } from './helpers/fault-servers.js';

const ca = makeTestCa();
const tlsServer = useServer({ tls: { key: ca.key, cert: ca.cert } });
let proxy: ConnectProxy;
/** A proxy nobody listens on. */
let closedProxyUrl: string;
before(async () => {
  proxy = await startConnectProxy();
  closedProxyUrl = `http://127.0.0.1:${await closedPort()}`;
});
after(async () => {
  await proxy.close();
});

/** Runs `fn` with the test runner's own process.env naming `proxyUrl` as its proxy, as a developer's shell might. */
async function withRunnerProxy<T>(proxyUrl: string, fn: () => Promise<T>): Promise<T> {
  const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
  process.env.HTTPS_PROXY = proxyUrl;
  delete process.env.NO_PROXY;
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('in-process osmo and proxies', () => {
  it('login and token list go through the proxy named only in the env given to main()', async () => {
    const { osmo } = inProcessUser(undefined, { HTTPS_PROXY: proxy.url, OSMO_CA_FILE: ca.caFile });
    await loginAndListThroughProxy(proxy, tlsServer(), osmo, 'in-process-proxy');
  });

  it("a proxy in the test runner's own environment is not used", async () => {
    const { osmo } = inProcessUser(undefined, { OSMO_CA_FILE: ca.caFile });
    const before = proxy.tunnels;
    await withRunnerProxy(closedProxyUrl, async () => {
      await tokenLogin(tlsServer(), osmo, 'user@example.com', 'no-runner-proxy');
      const list = await osmo(['token', 'list']);
      assert.equal(list.code, 0, list.stderr);
    });
    assert.equal(proxy.tunnels, before);
  });

  it("a proxy that refuses connections is named from the env given to main(), not the runner's", async () => {
    const { osmo } = inProcessUser(undefined, { HTTPS_PROXY: closedProxyUrl, OSMO_CA_FILE: ca.caFile });
    const res = await withRunnerProxy(proxy.url, () => osmo(['login', tlsServer().url, '--method', 'token', '--token', 'osmo_x']));
    assert.equal(res.code, 10, res.stderr);
    assert.match(res.stderr, new RegExp(`^Error: could not connect to the proxy ${closedProxyUrl.replace(/[.]/g, '\\.').replace(/\/$/, '')}`, 'm'));
  });
});
