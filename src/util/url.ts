import { UsageError } from '../errors.js';

/**
 * The canonical form of a server URL: scheme and host lower-cased, no
 * trailing slash, no query or fragment. It is also the keychain account.
 */
export function normalizeServerUrl(input: string): string {
  const raw = input.trim();
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

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** True when a credential sent to this URL would cross the network in clear text. */
export function isInsecureRemote(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname);
}
