// Small purpose-built servers for what the local OSMO server cannot do:
// a port nobody listens on, a TLS certificate nobody trusts, a peer that
// does not speak HTTP, a body that trickles or never ends, and a forwarder
// reachable on a non-loopback address.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './cli.js';

export interface SmallServer {
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Tracks sockets so close() never waits on a client that hangs on. */
function track(server: Server): { connections(): number; close(): Promise<void> } {
  const sockets = new Set<Socket>();
  let seen = 0;
  server.on('connection', (socket: Socket) => {
    seen += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    connections: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A port on 127.0.0.1 where connecting is refused. Not one just freed by a
 * server of our own: the kernel hands such ports out again, and a server
 * that another test starts meanwhile (the suite starts hundreds, on port 0)
 * could answer instead. So a port below the range port 0 is served from,
 * with nothing listening on it: the first of a few rarely used ones that
 * refuses a connection now.
 */
export async function closedPort(): Promise<number> {
  for (const port of [9, 1, 4, 6, 8, 10, 12, 14, 16]) {
    if (await refuses(port)) return port;
  }
  throw new Error('every candidate for a closed port on 127.0.0.1 (9, 1, 4, 6, …) accepts connections');
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

export interface Certificate {
  key: string;
  cert: string;
  /** The certificate as a PEM file, for OSMO_CA_FILE. */
  certFile: string;
}

/** A self-signed certificate made by openssl at test time; `san` like 'IP:127.0.0.1' or 'DNS:osmo.test'. */
export function selfSignedCert(san: string): Certificate {
  const dir = tempDir('osmo-cert-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=osmo-test', '-addext', `subjectAltName=${san}`,
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** An HTTP server whose every request gets `handler`; for bodies the fault queue cannot shape. */
export async function startHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<SmallServer> {
  const server = createHttpServer(handler);
  const tracked = track(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, ...tracked };
}

/** Answers headers, then never sends the promised body. */
export function stallingBody(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
  res.write('[');
}

/** A chunked body without end: only the client's size cap stops it. */
export function endlessBody(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, ' ');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk)) {
      /* keep writing until the socket pushes back */
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  res.write('[');
  pump();
}

/** A TCP peer that answers anything with bytes that are not HTTP. */
export async function startGarbageServer(): Promise<SmallServer> {
  const server = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
  });
  const tracked = track(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, ...tracked };
}

/** This machine's first non-loopback IPv4 address, if it has one. */
export function nonLoopbackIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const addr of list ?? []) if (addr.family === 'IPv4' && !addr.internal) return addr.address;
  }
  return undefined;
}

/** Forwards TCP from `host` (a non-loopback address) to a server on 127.0.0.1. */
export async function startForwarder(host: string, targetPort: number): Promise<SmallServer> {
  const server = createTcpServer((socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  const tracked = track(server);
  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, port, ...tracked };
}
