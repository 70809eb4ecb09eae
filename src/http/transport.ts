import type * as Tls from 'node:tls';
import type { Dispatcher } from 'undici';
import { ClientDestroyedError, EnvHttpProxyAgent, RetryAgent } from './undici.js';
import { NetworkError } from '../errors.js';
import { lazyRequire } from '../util/lazy-require.js';
import { readBoundedFile } from '../util/secret-file.js';
import { jitteredRetry, RETRY_ERROR_CODES, RETRY_STATUS_CODES } from './retry-policy.js';
import { describeNetworkError, timeoutError } from './network-errors.js';
import { proxySettings } from './proxy-env.js';
import { redactUrl } from './redact.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body; sent with content-type application/json. */
  json?: unknown;
  /** A body already encoded (e.g. an OAuth form); the caller sets its content-type. */
  body?: string;
  /** Safe to repeat after a transient failure (never a create). */
  idempotent: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface TransportOptions {
  userAgent: string;
  timeoutMs: number;
  maxRetries: number;
  /** Extra CA certificates (PEM) trusted besides the system's. */
  caFile?: string;
  /**
   * The environment the proxy variables and NODE_EXTRA_CA_CERTS are read
   * from: the command's (src/context.ts), never process.env, so that osmo run
   * in-process by a test uses the proxy the test gave it, and only that.
   */
  env: NodeJS.ProcessEnv;
  debug?: (line: string) => void;
  /** How a retry waits out its back-off: the context's clock (Services.sleep); real time if absent. */
  sleep?: (ms: number) => Promise<void>;
}

/** Bodies larger than this are not an OSMO response; stop reading. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A CA bundle with every public root is ~200 KiB; a few MiB leaves room for any private one. */
const MAX_CA_FILE_BYTES = 4 * 1024 * 1024;

/**
 * The only module that talks to the network: base concerns (User-Agent,
 * time-outs, retries, proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY, extra CAs,
 * debug lines with secrets redacted) live here and nowhere else.
 */
export class Transport {
  private plain: Promise<Dispatcher> | undefined;
  private retrying: Promise<Dispatcher> | undefined;

  constructor(private readonly opts: TransportOptions) {}

  /**
   * One request, retries included, bounded as a whole by the time-out: a
   * server trickling its body a byte at a time cannot hold osmo longer than
   * one that never answers (undici's own time-outs restart at every chunk).
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, accept: 'application/json', ...req.headers };
    let body = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const dispatcher = await (req.idempotent ? this.retryingDispatcher() : this.plainDispatcher());
    this.opts.debug?.(`> ${req.method} ${redactUrl(req.url)}${headers.authorization ? ' (authorization: Bearer [redacted])' : ''}`);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.opts.timeoutMs);
    try {
      const url = new URL(req.url);
      const res = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
        body,
        signal: deadline.signal,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      const text = await readCapped(res.body);
      this.opts.debug?.(`< ${res.statusCode} ${req.method} ${redactUrl(req.url)} in ${Date.now() - started} ms`);
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      this.opts.debug?.(`< failed ${req.method} ${redactUrl(req.url)} after ${Date.now() - started} ms: ${deadline.signal.aborted ? 'time-out' : ((err as { code?: string }).code ?? 'error')}`);
      if (deadline.signal.aborted) throw timeoutError(req.url, this.opts.timeoutMs);
      throw describeNetworkError(err, req.url, this.opts.timeoutMs, this.opts.env);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Lets the process exit as soon as the command is done: idle keep-alive
   * connections would otherwise hold the event loop open for a while.
   */
  async close(): Promise<void> {
    // The retrying dispatcher holds no connection of its own: it sends through
    // the plain one (and its destroy() would drop the error given to it).
    const plain = await this.plain?.catch(() => undefined);
    await plain?.destroy(commandDone());
  }

  private plainDispatcher(): Promise<Dispatcher> {
    this.plain ??= this.tlsOptions().then((ca) => {
      const tls = { timeout: this.opts.timeoutMs, ...ca };
      const proxy = proxySettings(this.opts.env);
      return new EnvHttpProxyAgent({
        connect: tls,
        // Through a proxy, undici opens the service's TLS session with requestTls
        // (and an https:// proxy's with proxyTls), not with connect.
        requestTls: tls,
        proxyTls: tls,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        // Plain http:// goes directly, never through a proxy: it would read the
        // PAT, JWT or password in clear text. (Only loopback, or a host the user
        // explicitly allowed, is ever reached over http://.) HTTPS still falls
        // back to HTTP_PROXY, as undici does: a proxy only tunnels TLS. All
        // three come from proxySettings(), as the errors naming the proxy do,
        // so undici reads no proxy variable by rules of its own.
        httpProxy: '',
        httpsProxy: proxy.https?.url ?? '',
        noProxy: proxy.noProxy,
      });
    });
    return this.plain;
  }

  private retryingDispatcher(): Promise<Dispatcher> {
    this.retrying ??= this.plainDispatcher().then((plain) => new RetryAgent(plain, {
      maxRetries: this.opts.maxRetries,
      minTimeout: 250,
      maxTimeout: 4000,
      timeoutFactor: 2,
      methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'POST'],
      statusCodes: RETRY_STATUS_CODES,
      errorCodes: RETRY_ERROR_CODES,
      retry: jitteredRetry(this.opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))),
      throwOnError: false,
    }));
    return this.retrying;
  }

  private async tlsOptions(): Promise<{ secureContext?: Tls.SecureContext }> {
    if (!this.opts.caFile) return {};
    // Setting `ca` replaces Node's default list, so add back the system's roots
    // and NODE_EXTRA_CA_CERTS: OSMO_CA_FILE adds to them, it does not replace them.
    const { NODE_EXTRA_CA_CERTS } = this.opts.env;
    const extra = NODE_EXTRA_CA_CERTS ? [await readCaFile(NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS')] : [];
    return { secureContext: secureContextFor([...extra, await readCaFile(this.opts.caFile, 'OSMO_CA_FILE')]) };
  }
}

const secureContexts = new Map<string, Tls.SecureContext>();

/**
 * One TLS context trusting the system's roots and `extraCas`, made once: given
 * `ca`, tls.connect() parses every certificate again for each connection (the
 * ~140 roots: 35–40 ms of CPU on Node 20), where a context serves them all.
 * Kept per process by content, so commands run in one process (the tests)
 * share it too. (Node takes any text here without an error: what is not a
 * certificate is skipped, and the server's certificate is then not trusted.)
 */
function secureContextFor(extraCas: string[]): Tls.SecureContext {
  const key = extraCas.join('\n');
  let context = secureContexts.get(key);
  if (!context) {
    // node:tls only here: for plain http:// and the default roots, nothing needs it loaded.
    const tls = lazyRequire('node:tls') as typeof Tls;
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCas] });
    secureContexts.set(key, context);
  }
  return context;
}

async function readCaFile(path: string, variable: string): Promise<string> {
  return (await readBoundedFile(path, MAX_CA_FILE_BYTES, `the CA file ${path} (${variable})`, `check ${variable}`)).text;
}

/**
 * What the connections are closed with once the command is done: the error
 * undici makes when given none, with its stack already a string. Node's
 * stream code reads the stack of the error a socket is destroyed with, and
 * formatting the stack of an error made in the bundle has V8 find the line
 * of each frame, which means scanning the whole bundle for line ends: ~6M
 * instructions, 2–3 % of a warm `token list` (callgrind, Node 20). A stack
 * that is already a string is never formatted.
 */
function commandDone(): Error {
  const done = new ClientDestroyedError();
  done.stack = `${done.name}: ${done.message}`;
  return done;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new NetworkError(`the response is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; this is not an OSMO service answer`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
