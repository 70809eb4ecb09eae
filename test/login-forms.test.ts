// `osmo login` the way people type it. Here: a proxy that cannot be reached
// or refuses the tunnel is named as such, not taken for the service.
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newUser } from './helpers/fixtures.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { tempDir } from './helpers/cli.js';
import { closedPort } from './helpers/fault-servers.js';

function secretFile(value: string): string {
  const file = `${tempDir('osmo-secret-')}/secret`;
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return file;
}

describe('through a proxy', () => {
  it('a proxy nobody listens on is named, not the service', async () => {
    const { osmo } = newUser();
    const port = await closedPort();
    const res = await osmo(['login', 'https://osmo.example.com', '--method', 'token', '--token-file', secretFile('osmo_whatever')], { env: { HTTPS_PROXY: `http://someone:secret@127.0.0.1:${port}` } });
    assertCleanFailure(res, { code: 10, message: new RegExp(`^could not connect to the proxy http://127\\.0\\.0\\.1:${port}: ECONNREFUSED$`) });
    assert.match(res.stderr, /\n {2}check HTTPS_PROXY, or list osmo\.example\.com in NO_PROXY to connect directly\n$/);
    assert.doesNotMatch(res.stderr, /secret/);
  });

  it('a proxy that refuses the tunnel is named with its answer', async () => {
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { osmo } = newUser();
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const res = await osmo(['login', 'https://osmo.example.com', '--method', 'token', '--token-file', secretFile('osmo_whatever')], { env: { HTTPS_PROXY: url } });
      assertCleanFailure(res, { code: 10, message: new RegExp(`^the proxy ${url.replace(/\./g, '\\.')} refused to connect to osmo\\.example\\.com \\(HTTP 407\\)$`) });
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
