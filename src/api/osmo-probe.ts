import { UsageError } from '../errors.js';
import type { HttpResponse } from '../http/transport.js';

export const CHECK_URL_HINT = 'check the URL: it is the address of the OSMO service itself, e.g. https://osmo.example.com';

/**
 * A URL that is not an OSMO service (a web site, another API, a typo in the
 * path) answers osmo's first request with a 404 or an HTML page. Said as
 * such, that is the user's mistake (exit 2), not a refused token or a broken
 * server. `request` is e.g. "GET /api/auth/login".
 */
export function notAnOsmoService(baseUrl: string, request: string, status: number | string, html = false): UsageError {
  return new UsageError(
    `${baseUrl} does not look like an OSMO service: ${request} answered ${status}${html ? ' with an HTML page' : ''}`,
    CHECK_URL_HINT,
  );
}

/** Throws notAnOsmoService() when this answer to a login's first request shows the URL is something else. */
export function expectOsmoAnswer(res: HttpResponse, request: string, baseUrl: string): void {
  if (res.status >= 500) return;
  const html = /\btext\/html\b/i.test(String(res.headers['content-type'] ?? '')) || /^\s*<(?:!doctype|html|head|body)\b/i.test(res.text);
  if (res.status === 404 || res.status === 405 || html) throw notAnOsmoService(baseUrl, request, res.status, html);
}
