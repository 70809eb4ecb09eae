// Small HTTP vocabulary shared by the fake OSMO service and its OAuth provider.
// Handlers return a Reply value instead of writing to the response, so the
// server can still add fault headers or cut the body short after the fact.
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Req, params: string[]) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** A 4xx the service reports in its JSON `{message, error_code, workflow_id}` shape. */
export class UserError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/plain', ...headers }, body };
}

export function html(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

export function redirect(location: string): Reply {
  return { status: 302, headers: { location }, body: '' };
}

export function serviceError(message: string, status = 400): Reply {
  return json(status, { message, error_code: 'USER', workflow_id: null });
}

/** One entry of FastAPI's 422 `detail` array. */
export interface ValidationIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export function validationError(...detail: ValidationIssue[]): Reply {
  return json(422, { detail });
}

export function missing(...loc: string[]): ValidationIssue {
  return { type: 'missing', loc, msg: 'Field required', input: null };
}

/** uvicorn's answer when a handler raises: plain text, no JSON. */
export const internalError = (): Reply => text(500, 'Internal Server Error');

export function header(req: Req, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** OAuth endpoints only read forms; anything else looks like an empty form, as it would to Keycloak. */
export function form(req: Req): URLSearchParams {
  const type = header(req, 'content-type') ?? '';
  return type.toLowerCase().startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(req.body)
    : new URLSearchParams();
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Finds the handler for a request. Like FastAPI, a path that exists under another
 * method answers 405; a path that matches nothing gives `undefined` so the caller
 * can answer 404.
 */
export async function dispatch(routes: Route[], req: Req): Promise<Reply | undefined> {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== req.method) continue;
    try {
      return await route.handler(req, m.slice(1).map((s) => decode(s ?? '')));
    } catch (err) {
      if (err instanceof UserError) return serviceError(err.message, err.status);
      throw err;
    }
  }
  return pathMatched ? json(405, { detail: 'Method Not Allowed' }) : undefined;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
