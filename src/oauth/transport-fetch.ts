import type { HttpRequest, HttpResponse, Transport } from '../http/transport.js';

/** The fetch signature oauth4webapi hands its requests to (its `customFetch`). */
export type OAuthFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: unknown }) => Promise<Response>;

/**
 * Answers oauth4webapi's requests through the project's Transport, so the
 * identity provider is reached with the same proxy, CA bundle, time-out,
 * User-Agent and redacted debug lines as the OSMO service.
 */
export function transportFetch(transport: Transport): OAuthFetch {
  return async (url, init) => {
    // osmo's own User-Agent, not the library's.
    const headers = { ...init.headers };
    delete headers['user-agent'];
    const res = await transport.send({
      method: init.method as HttpRequest['method'],
      url,
      headers,
      body: init.body == null ? undefined : String(init.body),
      // Codes, device codes and rotating refresh tokens work once: a blind
      // retry after a lost answer would fail, or burn the new refresh token.
      idempotent: false,
    });
    const noBody = res.status === 204 || res.status === 205 || res.status === 304;
    return new Response(noBody ? null : res.text, { status: res.status, headers: toHeaders(res.headers) });
  };
}

function toHeaders(raw: HttpResponse['headers']): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  return headers;
}
