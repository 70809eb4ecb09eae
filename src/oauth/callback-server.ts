import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, UsageError } from '../errors.js';

/** What the browser brought back, and a way to tell the person in it how it ended. */
export interface Callback {
  params: URLSearchParams;
  reply(ok: boolean, message: string): void;
}

export interface CallbackServer {
  redirectUri: string;
  /** The first request to /callback; rejects after `timeoutMs`. */
  wait(timeoutMs: number, timeoutHint: string): Promise<Callback>;
  close(): void;
}

/**
 * A one-shot HTTP server on 127.0.0.1 for the OAuth redirect. It binds the
 * loopback address only, so nothing else on the network can reach it, and it
 * takes exactly one callback: later or stray requests get a 404.
 */
export async function startCallbackServer(port = 0): Promise<CallbackServer> {
  let deliver: ((callback: Callback) => void) | undefined;
  let taken = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback' || taken || !deliver) return answer(res, 404, 'Not found');
    taken = true;
    deliver({ params: url.searchParams, reply: (ok, message) => answer(res, ok ? 200 : 400, message) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message);
      reject(new UsageError(`cannot listen on 127.0.0.1:${port} for the browser callback: ${why}`, 'pass another --callback-port, or leave it out to use any free port'));
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;

  return {
    redirectUri: `http://127.0.0.1:${bound}/callback`,
    wait: (timeoutMs, timeoutHint) =>
      new Promise<Callback>((resolve, reject) => {
        const timer = setTimeout(() => {
          deliver = undefined;
          reject(new AuthError(`no answer from the browser within ${describeSeconds(timeoutMs / 1000)}`, timeoutHint));
        }, timeoutMs);
        deliver = (callback) => {
          clearTimeout(timer);
          resolve(callback);
        };
      }),
    close: () => {
      server.close();
      server.closeIdleConnections();
    },
  };
}

// Plain text: nothing from the query is ever rendered as HTML.
function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(`${text}\n`);
}

function describeSeconds(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} s`;
}
