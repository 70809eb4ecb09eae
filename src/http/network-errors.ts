import { NetworkError, OsmoError } from '../errors.js';
import { oneLine } from '../util/display-text.js';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Turns an undici or socket error into one readable line (exit 10). */
export function describeNetworkError(err: unknown, url: string, timeoutMs: number): OsmoError {
  if (err instanceof OsmoError) return err;
  const host = safeHost(url);
  const code = findCode(err);
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

function findCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_REQ_RETRY') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorNames(err: unknown): string[] {
  const names: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const name = (current as { name?: unknown }).name;
    if (typeof name === 'string') names.push(name);
    current = (current as { cause?: unknown }).cause;
  }
  return names;
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
