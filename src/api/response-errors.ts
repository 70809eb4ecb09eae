import { ApiError } from '../errors.js';
import { oneLine } from '../util/display-text.js';
import type { HttpResponse } from '../http/transport.js';
import { detailStringSchema, serviceErrorSchema, validationErrorSchema } from './schemas.js';

/**
 * The message a user should see for an error status: the service's JSON
 * `message`, FastAPI's 422 `detail` list, a trimmed plain-text body from the
 * gateway, or a short summary for a 5xx page from a proxy.
 */
export function errorFromResponse(res: HttpResponse, what: string): ApiError {
  const json = tryJson(res.text);
  if (res.status >= 500) {
    const message = json !== undefined ? serviceErrorSchema.safeParse(json).data?.message : undefined;
    return new ApiError(`the server failed to ${what} (HTTP ${res.status}${message ? `: ${oneLine(message)}` : ''})`, res.status, 'try again later; if it persists, contact the OSMO administrators');
  }
  if (res.status === 429) {
    const after = res.headers['retry-after'];
    return new ApiError(`too many requests (HTTP 429)${after ? `; retry after ${oneLine(String(after), 40)} s` : ''}`, 429, 'wait and run the command again');
  }
  const service = serviceErrorSchema.safeParse(json);
  // An empty message says nothing; fall through to the status line.
  if (service.success && oneLine(service.data.message)) return new ApiError(oneLine(service.data.message), res.status);
  const validation = validationErrorSchema.safeParse(json);
  if (validation.success) {
    const parts = validation.data.detail.map((d) => (d.loc?.length ? `${d.loc.join('.')}: ${d.msg}` : d.msg));
    return new ApiError(oneLine(`the service rejected the request: ${parts.join('; ')}`), res.status);
  }
  const detail = detailStringSchema.safeParse(json);
  if (detail.success) return new ApiError(`${oneLine(detail.data.detail)} (HTTP ${res.status})`, res.status);
  const text = oneLine(res.text);
  return new ApiError(text ? `${text} (HTTP ${res.status})` : `HTTP ${res.status}`, res.status);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
