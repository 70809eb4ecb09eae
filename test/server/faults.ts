// Queued misbehaviour: what proxies, load balancers and flaky networks do to
// a client that a well-behaved fake service never would.
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Reply } from './http-kit.js';

export interface Fault {
  /** 'METHOD /path' exact or as a prefix ('GET /api/auth/access_token'); a bare '/path…' matches any method; omitted = any request. */
  route?: string;
  /** How many matching requests it applies to (default 1; Infinity allowed). */
  times?: number;
  status?: number;
  body?: string;
  contentType?: string;
  /** Added to the reply, faulted or normal. */
  headers?: Record<string, string>;
  /** Delay before answering (then answer normally unless status given). */
  delayMs?: number;
  /** Answer only once this settles: the test says when, instead of a delay long enough under load. */
  hold?: Promise<unknown>;
  /** Destroy the socket without a response, or after sending headers and part of the body. */
  drop?: 'immediately' | 'mid-body';
  /** Send the body one byte at a time, this many milliseconds apart (a server that trickles). */
  trickleMs?: number;
}

function matches(route: string | undefined, method: string, path: string): boolean {
  if (route === undefined) return true;
  const target = route.startsWith('/') ? path : `${method} ${path}`;
  return target.startsWith(route);
}

export class FaultQueue {
  private queue: Array<{ fault: Fault; left: number }> = [];

  add(fault: Fault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queue = [];
  }

  /** The first queued fault for this request, used up by one; at most one fault per request. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.queue.find((e) => matches(e.fault.route, method, path));
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.queue.splice(this.queue.indexOf(entry), 1);
    return entry.fault;
  }
}

function guessType(body: string): string {
  if (/^\s*</.test(body)) return 'text/html';
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'text/plain';
  }
}

/** The canned answer of a fault that names a status. */
export function faultReply(fault: Fault & { status: number }): Reply {
  const body = fault.body ?? STATUS_CODES[fault.status] ?? '';
  return { status: fault.status, headers: { 'content-type': fault.contentType ?? guessType(body) }, body };
}

export function send(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
}

/**
 * Sends the headers at once, then the body one byte every `ms`: each byte
 * arrives well within any per-chunk time-out, the whole body never does.
 * `sleep` is the server's own, so that closing the server stops it.
 */
export async function sendTrickled(res: ServerResponse, reply: Reply, ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  for (let i = 0; i < body.length && !res.destroyed; i++) {
    res.write(body.subarray(i, i + 1));
    await sleep(ms);
  }
  res.end();
}

/**
 * Promises the whole body in content-length, sends half of it, then cuts the
 * connection: what a client sees when a proxy or pod dies mid-response.
 */
export function sendTruncated(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body.length > 1 ? reply.body : `${reply.body}${' '.repeat(64)}`);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  // The short pause lets the partial chunk leave before the reset, so the client sees a body that stops.
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
    setTimeout(() => res.destroy(), 20);
  });
}
