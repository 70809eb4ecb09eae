import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUser, tokenLogin, useServer } from './helpers/fixtures.js';
import { inProcessUser } from './helpers/in-process.js';
import { tempDir } from './helpers/cli.js';
import { loginAndListThroughProxy, startConnectProxy, type ConnectProxy } from './helpers/connect-proxy.js';
import { makeTestCa } from './helpers/test-ca.js';
import { closedPort } from './helpers/fault-servers.js';

// A private CA, an OSMO service on https://127.0.0.1 with a certificate it
// signed, and a CONNECT proxy that counts its tunnels: every case below goes
// through a real proxy hop and a real TLS handshake. osmo runs in-process with
// the environment given to main() (src/http/transport.ts reads proxies and
// OSMO_CA_FILE from it, test/proxy-in-process.test.ts shows the runner's own
// is not used), except where only a process shows it: NODE_EXTRA_CA_CERTS,
// which Node reads at start-up, through the real bin/osmo.
const ca = makeTestCa();
const tlsServer = useServer({ tls: { key: ca.key, cert: ca.cert } });
const plainServer = useServer();
let proxy: ConnectProxy;
before(async () => {
  proxy = await startConnectProxy();
});
after(async () => {
  await proxy.close();
});

describe('HTTPS through a CONNECT proxy to a service with a private CA', () => {
  it('NODE_EXTRA_CA_CERTS: login and token list go through the proxy', async () => {
    const { osmo } = newUser({ HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile });
    await loginAndListThroughProxy(proxy, tlsServer(), osmo, 'proxy-extra-ca');
  });

  it('OSMO_CA_FILE: the same, with the CA given to osmo only', async () => {
    const { osmo } = inProcessUser(undefined, { https_proxy: proxy.url, OSMO_CA_FILE: ca.caFile });
    const before = proxy.tunnels;
    await tokenLogin(tlsServer(), osmo, 'user@example.com', 'proxy-osmo-ca');
    const who = await osmo(['api', '/api/auth/access_token']);
    assert.equal(who.code, 0, who.stderr);
    assert.ok(proxy.tunnels >= before + 2, `tunnels: ${before} -> ${proxy.tunnels}`);
  });

  it('OSMO_CA_FILE without a proxy', async () => {
    const { osmo } = inProcessUser(undefined, { OSMO_CA_FILE: ca.caFile });
    const before = proxy.tunnels;
    await tokenLogin(tlsServer(), osmo, 'user@example.com', 'direct-osmo-ca');
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal(proxy.tunnels, before);
  });

  it('without the CA, or with an OSMO_CA_FILE that holds none: exit 10 with a TLS message that names the fix', async () => {
    // In this process other cases trusted the CA through OSMO_CA_FILE already: nothing of theirs is kept for these.
    const noCertificate = join(tempDir('osmo-ca-'), 'not-a-ca.pem');
    writeFileSync(noCertificate, 'this is not a certificate\n');
    for (const [i, env] of [{ HTTPS_PROXY: proxy.url }, {}, { OSMO_CA_FILE: noCertificate }].entries()) {
      const { osmo } = inProcessUser(undefined, env);
      const pat = tlsServer().issuePat('user@example.com', `untrusted${i}`);
      const before = proxy.tunnels;
      const res = await osmo(['login', tlsServer().url, '--method', 'token', '--token', pat]);
      assert.equal(res.code, 10, res.stderr);
      assert.match(res.stderr, /Error: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \([A-Z_]+\)\n {2}point NODE_EXTRA_CA_CERTS or OSMO_CA_FILE at your CA bundle\n/);
      assert.doesNotMatch(res.stderr, /\n\s+at /);
      if (env.HTTPS_PROXY) assert.ok(proxy.tunnels > before);
    }
  });

  it('NO_PROXY=127.0.0.1 bypasses the proxy', async () => {
    const { osmo } = inProcessUser(undefined, { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1', OSMO_CA_FILE: ca.caFile });
    const before = proxy.tunnels;
    await tokenLogin(tlsServer(), osmo, 'user@example.com', 'no-proxy');
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal(proxy.tunnels, before);
  });

  it('an empty variable counts as unset: https_proxy= does not hide HTTPS_PROXY, nor no_proxy= NO_PROXY', async () => {
    const through = inProcessUser(undefined, { https_proxy: '', HTTPS_PROXY: proxy.url, OSMO_CA_FILE: ca.caFile });
    const before = proxy.tunnels;
    await tokenLogin(tlsServer(), through.osmo, 'user@example.com', 'empty-https-proxy');
    assert.ok(proxy.tunnels > before, 'HTTPS_PROXY was used');

    const bypass = inProcessUser(undefined, { HTTPS_PROXY: proxy.url, no_proxy: '', NO_PROXY: '127.0.0.1', OSMO_CA_FILE: ca.caFile });
    const tunnels = proxy.tunnels;
    await tokenLogin(tlsServer(), bypass.osmo, 'user@example.com', 'empty-no-proxy');
    assert.equal(proxy.tunnels, tunnels, 'NO_PROXY was honoured');
  });

  it('a proxy that refuses connections is named in the error, from the variable the request used', async () => {
    const { osmo } = inProcessUser(undefined, { https_proxy: '', HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}`, OSMO_CA_FILE: ca.caFile });
    const res = await osmo(['login', tlsServer().url, '--method', 'token', '--token', 'osmo_x']);
    assert.equal(res.code, 10, res.stderr);
    assert.match(res.stderr, /^Error: could not connect to the proxy http:\/\/127\.0\.0\.1:\d+/m);
  });
});

describe('plain http:// and proxies', () => {
  // Through a proxy, plain http:// would hand the proxy the PAT, the JWT and
  // any password in clear text: the loopback exemption means *directly* to loopback.
  it('credentials for an http:// server or identity provider never cross a proxy, whatever the variable', async () => {
    const { osmo, dir } = inProcessUser(undefined, { HTTP_PROXY: proxy.url, http_proxy: proxy.url, HTTPS_PROXY: proxy.url, ALL_PROXY: proxy.url });
    const before = proxy.tunnels;
    const requestsBefore = plainServer().count();
    const pat = await tokenLogin(plainServer(), osmo, 'user@example.com', 'http-proxy');
    assert.equal((await osmo(['token', 'list'])).code, 0);
    assert.equal((await osmo(['whoami'])).code, 0);
    plainServer().oauth.setPassword('svc@example.com', 'correct horse battery');
    const password = await osmo(['login', plainServer().url, '--method', 'password', '--username', 'svc@example.com', '--password', 'correct horse battery']);
    assert.equal(password.code, 0, password.stderr);

    assert.equal(proxy.tunnels, before, 'no tunnel was opened');
    assert.ok(plainServer().count() >= requestsBefore + 4, 'the requests went directly to the server');
    const { refreshToken, jwt } = (JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { accounts: Record<string, { refreshToken: string; jwt: string }> }).accounts[plainServer().url]!;
    for (const secret of [pat, 'correct horse battery', 'correct+horse+battery', refreshToken, jwt]) {
      assert.ok(!proxy.transcript().includes(secret), 'the proxy saw a credential');
    }
  });

  it('HTTPS still goes through the proxy, which sees only cipher text', async () => {
    const { osmo } = inProcessUser(undefined, { HTTPS_PROXY: proxy.url, OSMO_CA_FILE: ca.caFile });
    const before = proxy.tunnels;
    const pat = await tokenLogin(tlsServer(), osmo, 'user@example.com', 'https-cipher-text');
    assert.ok(proxy.tunnels > before);
    assert.ok(!proxy.transcript().includes(pat), 'the proxy saw the PAT');
  });
});
