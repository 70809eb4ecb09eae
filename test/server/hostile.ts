// What a hostile OSMO service or identity provider (or a hostile user whose
// text it stores) sends a client: terminal escape sequences and line breaks in
// every text field, and OAuth errors that echo the request back, secrets
// included. Protocol fields (tokens, codes, OAuth error codes, numbers) stay
// as they are, so that every flow still works and only the text is hostile.
import type { Claims } from './jwt.js';
import type { Reply } from './http-kit.js';

/**
 * Red text, a window-title change ended by BEL, a carriage return and a line
 * break that forge a table row and a whoami line, a right-to-left override,
 * and a C1 control sequence introducer (CSI) that clears the screen.
 */
export const HOSTILE_TEXT = '\u001b[31m\u001b]0;owned\u0007\r\n| forged | row | Active | 2099-01-01 |\nUser: admin@example.com\u202e\u009b2J';

/** A user whose very name is hostile: it reaches every field derived from the user. */
export const HOSTILE_USER = `mallory${HOSTILE_TEXT}@example.com`;

// Values a client must be able to use as they are.
const PROTOCOL_KEYS = new Set(['token', 'access_token', 'id_token', 'refresh_token', 'token_type', 'device_code', 'error', 'scope', 'code']);

function taint(key: string | undefined, value: string): string {
  if (key !== undefined && PROTOCOL_KEYS.has(key)) return value;
  // An advertised endpoint must stay usable: the hostile part goes in its fragment.
  if (key?.endsWith('_endpoint')) return `${value}#${HOSTILE_TEXT}`;
  return `${value}${HOSTILE_TEXT}`;
}

function taintJson(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return taint(key, value);
  if (Array.isArray(value)) return value.map((item) => taintJson(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, taintJson(v, k)]));
  }
  return value;
}

/**
 * The hostile version of a reply: every JSON string and every plain-text
 * body tainted; an OAuth error also echoes the request body it answers.
 */
export function hostileReply(reply: Reply, path: string, requestBody: string): Reply {
  if (path.endsWith('/jwks') || path.includes('/.well-known/')) return reply;
  const type = reply.headers['content-type'] ?? '';
  if (type.startsWith('text/plain')) return { ...reply, body: taint(undefined, reply.body) };
  if (!type.startsWith('application/json')) return reply;
  let body: unknown;
  try {
    body = JSON.parse(reply.body);
  } catch {
    return reply;
  }
  if (path.startsWith('/oauth/') && reply.status >= 400 && body !== null && typeof body === 'object' && 'error' in body) {
    const { error_description: description } = body as { error_description?: string };
    body = { ...body, error_description: `${description ?? 'refused'}; you sent: ${requestBody}` };
  }
  return { ...reply, body: JSON.stringify(taintJson(body)) };
}

/** A hostile issuer: the display claims of every JWT it signs are tainted too. */
export function hostileClaims(claims: Claims): Claims {
  const out: Claims = { ...claims };
  for (const key of ['name', 'roles', 'osmo_token_name']) {
    if (key in out) out[key] = taintJson(out[key]);
  }
  return out;
}
