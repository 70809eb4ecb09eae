import { NetworkError, OsmoError } from '../errors.js';
import { oneLine } from '../util/display-text.js';
import { proxyFor, shownProxy } from './proxy-env.js';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Turns an undici or socket error into one readable line (exit 10); `env` names the proxy in use, as the Transport read it. */
export function describeNetworkError(err: unknown, url: string, timeoutMs: number, env: NodeJS.ProcessEnv): OsmoError {
  if (err instanceof OsmoError) return err;
  const host = safeHost(url);
  const code = findCode(err);
  const proxy = proxyFor(url, env);
  const proxyFailure = proxy && describeProxyFailure(err, code, host, proxy);
  if (proxyFailure) return proxyFailure;
  const names = errorNames(err);
  switch (true) {
    case code === 'ECONNREFUSED':
      return new NetworkError(`cannot connect to ${host}: connection refused`, 'check the URL and that the service is running');
    case code === 'ENOTFOUND' || code === 'EAI_AGAIN':
      return new NetworkError(`cannot resolve host ${safeHostname(url)}`, 'check the URL, your DNS and any proxy settings');
    case code === 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new NetworkError(`the TLS certificate of ${host} is for another host name (${code})`, 'check the host name in the URL');
    case code !== undefined && TLS_CODES.has(code):
      return new NetworkError(`the TLS certificate of ${host} is not trusted (${code})`, 'point NODE_EXTRA_CA_CERTS or OSMO_CA_FILE at your CA bundle');
    case code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT':
      return timeoutError(url, timeoutMs);
    case code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE':
      return new NetworkError(`the connection to ${host} was closed unexpectedly`, 'try again; if it persists, check proxies between you and the service');
    case code === 'EPROTO' || code?.startsWith('ERR_SSL_') === true:
      return new NetworkError(`cannot make a TLS connection to ${host} (${code})`, 'check the URL: is the service on https:// or http://, and on this port?');
    case names.includes('HTTPParserError'):
      return new NetworkError(`${host} did not answer in HTTP`, 'check the URL: is the service on https:// or http://, and on this port?');
    // undici resumes a cut-off body with a Range request; the service does not support ranges, so that retry fails too.
    case code === undefined && names.includes('RequestRetryError'):
      return new NetworkError(`the connection to ${host} was cut off in the middle of the response`, 'try again; if it persists, check proxies between you and the service');
    case code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR':
      return new NetworkError(`the request to ${host} was aborted`);
    default:
      return new NetworkError(oneLine(`request to ${host} failed: ${code ?? describeThrown(err)}`));
  }
}

/** The request, from connecting to the last byte of the answer, took longer than OSMO_HTTP_TIMEOUT. */
export function timeoutError(url: string, timeoutMs: number): NetworkError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return new NetworkError(`no response from ${safeHost(url)} within ${seconds} s`, 'try again, or raise OSMO_HTTP_TIMEOUT (seconds)');
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Through a proxy, a refused or unresolvable connection is the proxy's (the
 * service is reached by the proxy, not by osmo), and a tunnel the proxy
 * refuses comes back as "Proxy response (407) !== 200". Either is said as
 * the proxy's failure, never as the service refusing the connection.
 */
function describeProxyFailure(err: unknown, code: string | undefined, host: string, proxy: { url: string; variable: string }): OsmoError | undefined {
  const shown = shownProxy(proxy.url);
  const hint = `check ${proxy.variable}, or list ${host.replace(/:\d+$/, '')} in NO_PROXY to connect directly`;
  const tunnel = /Proxy response \((\d{3})\)/.exec(errorMessages(err));
  if (tunnel) return new NetworkError(`the proxy ${shown} refused to connect to ${host} (HTTP ${tunnel[1]})`, hint);
  if (code === undefined || !CONNECT_CODES.has(code) || !aboutProxy(err, proxy.url)) return undefined;
  return new NetworkError(`could not connect to the proxy ${shown}: ${code}`, hint);
}

/** Whether a connection error names the proxy's host or port (a direct connection may fail too, e.g. where the transport bypasses the proxy). */
function aboutProxy(err: unknown, proxyUrl: string): boolean {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    return false;
  }
  const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const host = proxy.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return chain(err).some((e) => e.port === port || (typeof e.hostname === 'string' && e.hostname.toLowerCase() === host) || (typeof e.message === 'string' && e.message.includes(`${host}:${port}`)));
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  port?: unknown;
  hostname?: unknown;
}

/** The error and its causes, outermost first (undici wraps socket errors). */
function chain(err: unknown): ErrorLike[] {
  const errors: ErrorLike[] = [];
  for (let current: unknown = err; current && errors.length < 5; current = (current as { cause?: unknown }).cause) errors.push(current as ErrorLike);
  return errors;
}

const strings = (values: unknown[]): string[] => values.filter((v): v is string => typeof v === 'string');

function errorMessages(err: unknown): string {
  return strings(chain(err).map((e) => e.message)).join('\n');
}

function findCode(err: unknown): string | undefined {
  return strings(chain(err).map((e) => e.code)).find((code) => code !== 'UND_ERR_REQ_RETRY');
}

function errorNames(err: unknown): string[] {
  return strings(chain(err).map((e) => e.name));
}

// Anything can be thrown, even an object that refuses to become a string.
function describeThrown(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'unknown error';
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

function safeHostname(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'the server';
  }
}
