import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import assert from 'node:assert/strict';
import type { RunOptions, RunResult } from './cli.js';
import { tokenLogin } from './fixtures.js';
import type { OsmoServer } from '../server/osmo-server.js';

export interface ConnectProxy {
  /** http://127.0.0.1:PORT, for HTTPS_PROXY / HTTP_PROXY. */
  url: string;
  /** Tunnels opened so far. */
  tunnels: number;
  /** host:port of every CONNECT request, in order. */
  targets: string[];
  /**
   * Every byte clients sent it, as a proxy operator could log them: request
   * heads, and the traffic of every tunnel (cipher text for HTTPS, the whole
   * request in clear for plain http://).
   */
  transcript(): string;
  close(): Promise<void>;
}

/**
 * A minimal forward proxy on 127.0.0.1 that only tunnels (HTTP CONNECT), the
 * way corporate proxies carry HTTPS. It counts the tunnels it opens so a test
 * can prove the CLI went through it, logs what passes, and refuses anything
 * but CONNECT (after logging it).
 */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const seen: Buffer[] = [];
  const log = (chunk: Buffer | string): void => void seen.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  const head = (req: IncomingMessage): string => `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${req.rawHeaders.map((v, i) => (i % 2 ? `${v}\r\n` : `${v}: `)).join('')}\r\n`;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((req, res) => {
    log(head(req));
    req.on('data', log);
    req.on('end', () => res.writeHead(405, { 'content-type': 'text/plain' }).end('this test proxy only tunnels (CONNECT)\n'));
  });
  const proxy: ConnectProxy = {
    url: '',
    tunnels: 0,
    targets: [],
    transcript: () => Buffer.concat(seen).toString('latin1'),
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };

  server.on('connect', (req: IncomingMessage, client: Socket, first: Buffer) => {
    track(client);
    log(head(req));
    log(first);
    client.on('data', log);
    const target = req.url ?? '';
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    proxy.tunnels++;
    proxy.targets.push(target);
    const upstream = connect(Number(match[2]), match[1]!.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (first.length) upstream.write(first);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/**
 * A token login (PAT named `name`) and a `token list` that shows it: both
 * through `proxy`, whose last tunnel led to `server`.
 */
export async function loginAndListThroughProxy(proxy: ConnectProxy, server: OsmoServer, osmo: (args: string[], opts?: RunOptions) => Promise<RunResult>, name: string): Promise<void> {
  const before = proxy.tunnels;
  await tokenLogin(server, osmo, 'user@example.com', name);
  const list = await osmo(['token', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(name));
  assert.ok(proxy.tunnels >= before + 2, `tunnels: ${before} -> ${proxy.tunnels}`);
  assert.equal(proxy.targets.at(-1), `127.0.0.1:${new URL(server.url).port}`);
}
