import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, UsageError } from '../errors.js';

/** What the browser brought back, and a way to tell the person in it how it ended. */
export interface Callback {
  params: URLSearchParams;
  /** Answers the browser; settles once the page has been handed over. */
  reply(ok: boolean, message: string): Promise<void>;
}

export interface CallbackServer {
  /** `http://localhost:PORT`, the form OSMO's Python client registers (root path). */
  redirectUri: string;
  /**
   * The first callback that carries the expected state, even one that came
   * before the call; rejects once `sleep` (the context's clock) has waited `timeoutMs`.
   */
  wait(timeoutMs: number, timeoutHint: string, sleep: (ms: number, signal: AbortSignal) => Promise<void>): Promise<Callback>;
  /** Stops listening and drops every connection, including ones others hold open. */
  close(): void;
}

const IGNORED = 'osmo: this answer does not belong to the login in progress (wrong or missing state) and was ignored.';

/**
 * A one-shot HTTP server on 127.0.0.1 for the OAuth redirect. It binds the
 * loopback address only, so nothing else on the network can reach it. A
 * request without the login's `state` (a stray tab, another program, a
 * forged redirect) gets a 400 and changes nothing: the login keeps waiting
 * for the real answer, and only that one is taken.
 */
export async function startCallbackServer(opts: { port?: number; state: string }): Promise<CallbackServer> {
  const port = opts.port ?? 0;
  let received: Callback | undefined;
  let deliver: ((callback: Callback) => void) | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/' || received) return void answer(res, 404, 'Not found');
    if (url.searchParams.get('state') !== opts.state) return void answer(res, 400, IGNORED);
    received = { params: url.searchParams, reply: (ok, message) => answer(res, ok ? 200 : 400, message) };
    deliver?.(received);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message);
      reject(new UsageError(`cannot listen on 127.0.0.1:${port} for the browser callback: ${why}`, 'pass another --callback-port, or leave it out to use any free port'));
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  // Ends the wait for the timeout once the callback came or the server closed.
  const stopTimeout = new AbortController();

  return {
    redirectUri: `http://localhost:${bound}`,
    wait: (timeoutMs, timeoutHint, sleep) =>
      new Promise<Callback>((resolve, reject) => {
        if (received) return resolve(received);
        sleep(timeoutMs, stopTimeout.signal).then(
          () => {
            deliver = undefined;
            reject(new AuthError(`no answer from the browser within ${describeSeconds(timeoutMs / 1000)}`, timeoutHint));
          },
          () => {}, // aborted: the callback came, or the login ended otherwise
        );
        deliver = (callback) => {
          stopTimeout.abort();
          resolve(callback);
        };
      }),
    close: () => {
      stopTimeout.abort();
      server.close();
      server.closeAllConnections();
    },
  };
}

// Plain text: nothing from the query is ever rendered as HTML.
function answer(res: ServerResponse, status: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    res.once('close', () => resolve());
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(`${text}\n`, () => resolve());
  });
}

function describeSeconds(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} s`;
}
