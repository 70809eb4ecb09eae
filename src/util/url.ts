import { UsageError } from '../errors.js';

/**
 * The canonical form of a server URL: scheme and host lower-cased, no
 * trailing slash, no query or fragment. It is also the keychain account.
 */
export function normalizeServerUrl(input: string): string {
  const raw = withScheme(input.trim());
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new UsageError(`"${raw}" is not a server URL`, 'give the full URL, for example https://osmo.example.com');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a valid URL`, 'give the full URL, for example https://osmo.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`unsupported URL scheme "${url.protocol.slice(0, -1)}" in ${raw}`, 'use an https:// URL');
  }
  if (url.username || url.password) {
    throw new UsageError('the server URL must not contain a user name or password', 'pass credentials with --method and its flags');
  }
  if (url.search || url.hash) {
    throw new UsageError(`the server URL must not contain a query or fragment: ${raw}`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * A host name with a dot, localhost, or an [IPv6] address, then an optional
 * port and path: what `gh --hostname` accepts. A lone word (`not-a-url`)
 * stays a mistake rather than a host to send a login to.
 */
const BARE_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+|localhost|\[[0-9a-f:.]+\])(?::\d+)?(?:\/\S*)?$/i;

/** `osmo.example.com` means https://osmo.example.com, and `127.0.0.1:8000` the local http://127.0.0.1:8000. */
function withScheme(raw: string): string {
  if (!BARE_HOST.test(raw)) return raw;
  const host = raw.replace(/[/:][^\]]*$/, '').replace(/:\d+$/, '');
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${raw}`;
}

/**
 * The stored login a URL typed by hand means: the exact one; else, when no
 * scheme was typed, the only stored login on the same host and port
 * (`osmo switch osmo.example.com:8443` finds http://osmo.example.com:8443).
 * Anything else is normalized as it is.
 */
export function storedServerUrl(input: string, stored: Iterable<string>): string {
  const url = normalizeServerUrl(input);
  const urls = [...stored];
  if (urls.includes(url) || hasScheme(input)) return url;
  const { host, pathname } = new URL(url);
  const sameHost = urls.filter((u) => {
    const other = new URL(u);
    return other.host === host && (pathname === '/' || other.pathname === pathname);
  });
  return sameHost.length === 1 ? sameHost[0]! : url;
}

export function hasScheme(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim());
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** True when a credential sent to this URL would cross the network in clear text. */
export function isInsecureRemote(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname);
}
