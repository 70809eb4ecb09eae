// Property-based robustness of everything that reads what a server sends:
// the client's response parsing (through a fake Transport, the seam the
// client is built on), errorFromResponse, parseJsonResponse with every
// schema, the JWT claim reader and the network-error mapper. Whatever the
// input, the outcome is success or one of the client's own typed errors with
// SPEC.md's exit code, with a message that is one printable line and holds
// no credential; never any other exception.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { OsmoClient, type Authenticator } from '../src/api/client.js';
import { errorFromResponse } from '../src/api/response-errors.js';
import { parseJsonResponse } from '../src/api/parse-response.js';
import * as schemas from '../src/api/schemas.js';
import { describeNetworkError } from '../src/http/network-errors.js';
import type { HttpResponse, Transport } from '../src/http/transport.js';
import { displayName, readClaims } from '../src/session/jwt-claims.js';
import { ApiError, AuthError, NetworkError, OsmoError } from '../src/errors.js';
import { oneLine } from '../src/util/display-text.js';

const RUNS = Number(process.env.OSMO_PROPERTY_RUNS ?? 300);
const JWT_SECRET = 'eyJhbGciOiJSUzI1NiJ9.eyJ1bmlxdWVfbmFtZSI6InUifQ.c2lnbmF0dXJlLXZhbHVl';
const PAT_SECRET = 'osmo_pat_0123456789abcdefghijklmnopqrstuv';
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// ---- arbitraries -----------------------------------------------------------

const FIELDS = [
  'token', 'expires_at', 'error', 'user_name', 'token_name', 'description', 'roles', 'role_name', 'assigned_by', 'assigned_at',
  'message', 'detail', 'loc', 'msg', 'type', 'device_endpoint', 'browser_endpoint', 'token_endpoint', '__proto__', 'constructor',
];

/** JSON near the API's shapes: the right keys with any values, nested a few levels. */
const nearShape: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(JWT_SECRET, PAT_SECRET, `Bearer ${JWT_SECRET}`, `token ${PAT_SECRET} is bad`),
    fc.dictionary(fc.constantFrom(...FIELDS), tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;

const bytes = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('utf8'));

const edgeBodies = fc.constantFrom(
  '', ' ', 'null', 'true', '0', '-1', '1e999', 'NaN', '""', '"x"', '[]', '{}', '[null]', '{"token":null}', '{"token":""}',
  '{"token":"a","expires_at":1.5}', '{"token":"a","expires_at":"soon"}', '{"__proto__":{"token":"x"}}', '{"detail":[]}',
  '{"detail":[{"msg":"bad\\u001b[2J\\nline"}]}', '{"message":"\\u001b]0;pwned\\u0007hi"}', '[{"user_name":"u"}]',
  `{"message":"seen ${JWT_SECRET} and ${PAT_SECRET}"}`, `Unauthorized: Bearer ${JWT_SECRET}\r\nX: ${PAT_SECRET}`,
  '['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(2000) + '1' + '}'.repeat(2000), '\uFEFF{}', '<html><body>502</body></html>',
);

const body = fc.oneof(nearShape.map((v) => JSON.stringify(v) ?? 'null'), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string(), bytes, edgeBodies);

const status = fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 201, 204, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504));

const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('base64')),
  fc.constantFrom(Buffer.from(`expiring \u001b[31m${PAT_SECRET}\n${JWT_SECRET}`).toString('base64'), '30', '-1', 'Wed, 21 Oct 2015 07:28:00 GMT'),
);
const headers = fc.dictionary(
  fc.constantFrom('retry-after', 'x-osmo-warning', 'content-type', 'www-authenticate', 'location'),
  fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
  { maxKeys: 4 },
);

const response: fc.Arbitrary<HttpResponse> = fc.record({ status, headers, text: body });

// ---- checks ----------------------------------------------------------------

/** One printable line that shows no credential the request carried. */
function assertPrintable(text: string, secret: string | undefined, what: string): void {
  assert.ok(text.length > 0 && text.length <= 600, `${what}: length ${text.length}`);
  assert.ok(!UNPRINTABLE.test(text), `${what} has control characters: ${JSON.stringify(text)}`);
  if (secret) assert.ok(!text.includes(secret), `${what} shows a credential: ${text}`);
}

/** The first request of a login names a URL that answers it with a 404 or an HTML page as not an OSMO service. */
function notOsmo(res: HttpResponse, method: string): boolean {
  const html = /\btext\/html\b/i.test(String(res.headers['content-type'] ?? '')) || /^\s*<(?:!doctype|html|head|body)\b/i.test(res.text);
  return (method === 'loginInfo' || method === 'exchangePat') && res.status < 500 && (res.status === 404 || res.status === 405 || html);
}

/** The exit code SPEC.md gives an answer with this status. */
function expectedExit(res: HttpResponse, method: string, err: OsmoError): number {
  if (notOsmo(res, method)) return 2;
  if (res.status >= 200 && res.status < 300) {
    // A well-formed exchange answer without a token is the service refusing the PAT.
    return method === 'exchangePat' && err instanceof AuthError ? 2 : 10;
  }
  if (res.status < 400) return 10;
  if (res.status === 429) return 75;
  return res.status < 500 ? 2 : 10;
}

const fakeAuth = (renews: boolean): Authenticator => ({
  source: 'a property test',
  recovery: 'log in again',
  authHeaders: async () => ({ authorization: `Bearer ${JWT_SECRET}` }),
  renewAfterUnauthorized: async () => renews,
});

const calls = {
  loginInfo: (c: OsmoClient) => c.loginInfo(),
  exchangePat: (c: OsmoClient) => c.exchangePat(PAT_SECRET),
  createToken: (c: OsmoClient) => c.createToken('my-token', { expiresAt: '2027-01-01', roles: ['a'] }),
  listTokens: (c: OsmoClient) => c.listTokens(),
  tokenRoles: (c: OsmoClient) => c.tokenRoles('my-token'),
  deleteToken: (c: OsmoClient) => c.deleteToken('my-token', 'user@example.com'),
};

describe('response parsing is total: success or a typed error, never anything else', () => {
  for (const [method, call] of Object.entries(calls)) {
    it(`OsmoClient.${method} over random responses`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(response, { minLength: 2, maxLength: 2 }), fc.boolean(), async ([first, second], renews) => {
          let sent = 0;
          // Two answers: a 401 followed by a renewal gets the second.
          const transport = { send: async () => (sent++ === 0 ? first! : second!) } as unknown as Transport;
          const warnings: string[] = [];
          const client = new OsmoClient(transport, 'https://osmo.example.com', fakeAuth(renews), (w) => warnings.push(w));
          // The credential this request carried (loginInfo is anonymous and carries none).
          const secret = method === 'exchangePat' ? PAT_SECRET : method === 'loginInfo' ? undefined : JWT_SECRET;
          try {
            const value: unknown = await call(client);
            const last = sent === 2 ? second! : first!;
            assert.ok(last.status >= 200 && last.status < 300, `success from HTTP ${last.status}`);
            if (method === 'listTokens') assert.ok(Array.isArray(value));
            if (method === 'createToken') assert.ok(typeof value === 'string' && value.length > 0);
            if (method === 'exchangePat') assert.ok(typeof (value as { jwt: unknown }).jwt === 'string' && (value as { jwt: string }).jwt.length > 0);
          } catch (err) {
            assert.ok(err instanceof OsmoError, `not a typed error: ${err instanceof Error ? err.stack : String(err)}`);
            const res = sent === 2 ? second! : first!;
            assert.equal(err.exitCode, expectedExit(res, method, err), `HTTP ${res.status} gave exit ${err.exitCode}: ${err.message}`);
            if (notOsmo(res, method)) assert.match(err.message, /does not look like an OSMO service/);
            else if (res.status >= 200 && res.status < 400 && !(err instanceof AuthError)) assert.ok(err instanceof NetworkError, err.message);
            assertPrintable(err.message, secret, 'error message');
          }
          assert.ok(sent >= 1 && sent <= 2);
          for (const w of warnings) assertPrintable(w, secret, 'warning');
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('errorFromResponse: an ApiError with the status\'s exit code for any error status, body and headers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), body, headers, fc.string({ maxLength: 30 }), (code, text, hdrs, what) => {
        const err = errorFromResponse({ status: code, headers: hdrs, text }, what || 'do it');
        assert.ok(err instanceof ApiError);
        assert.equal(err.status, code);
        assert.equal(err.exitCode, code === 429 ? 75 : code < 500 ? 2 : 10);
        assert.ok(!UNPRINTABLE.test(err.message), JSON.stringify(err.message));
        assert.ok(err.message.length > 0 && err.message.length <= 600);
        if (code >= 500) assert.ok(!err.message.includes('<html'), 'no page dump for 5xx');
      }),
      { numRuns: RUNS * 2 },
    );
  });

  const namedSchemas = Object.entries(schemas).flatMap(([name, value]): Array<[string, z.ZodMiniType]> => (value instanceof z.ZodMiniType ? [[name, value]] : []));
  it(`parseJsonResponse with each of the ${namedSchemas.length} schemas: the parsed value or a NetworkError (exit 10)`, () => {
    assert.ok(namedSchemas.length >= 8);
    fc.assert(
      fc.property(fc.constantFrom(...namedSchemas), body, ([name, schema], text) => {
        try {
          parseJsonResponse(text, 200, schema, name);
        } catch (err) {
          assert.ok(err instanceof NetworkError, `${name}: ${err instanceof Error ? err.stack : String(err)}`);
          assert.equal(err.exitCode, 10);
          assert.ok(!UNPRINTABLE.test(err.message));
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('the JWT claim reader never throws', () => {
  const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v) ?? '').toString('base64url');
  const jwtLike = fc.oneof(
    fc.string(),
    bytes,
    fc.tuple(fc.jsonValue(), nearShape, fc.string()).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
    fc.tuple(fc.dictionary(fc.constantFrom('exp', 'name', 'unique_name', 'preferred_username', 'email', 'roles', 'osmo_token_name'), fc.jsonValue()), fc.string())
      .map(([claims, s]) => `${b64({ alg: 'RS256' })}.${b64(claims)}.${s}`),
    fc.array(fc.string(), { maxLength: 5 }).map((parts) => parts.join('.')),
  );

  it('readClaims: undefined or claims of the declared types, for any string', () => {
    fc.assert(
      fc.property(jwtLike, (jwt) => {
        const claims = readClaims(jwt);
        if (claims === undefined) return;
        assert.ok(claims.exp === undefined || typeof claims.exp === 'number');
        for (const key of ['name', 'unique_name', 'preferred_username', 'email', 'osmo_token_name'] as const) {
          assert.ok(claims[key] === undefined || typeof claims[key] === 'string', key);
        }
        assert.ok(claims.roles === undefined || claims.roles.every((r) => typeof r === 'string'));
        const shown = displayName(claims);
        assert.ok(shown === undefined || typeof shown === 'string');
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('network errors map to one typed error', () => {
  const codes = fc.constantFrom('ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'DEPTH_ZERO_SELF_SIGNED_CERT',
    'ERR_TLS_CERT_ALTNAME_INVALID', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_REQ_RETRY', 'UND_ERR_ABORTED', 'ABORT_ERR');
  const errorLike: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    err: fc.oneof(
      { depthSize: 'small' },
      fc.anything(),
      fc.record({ code: fc.oneof(codes, fc.string(), fc.integer()), name: fc.constantFrom('Error', 'HTTPParserError', 'RequestRetryError', 'TypeError'), message: fc.string(), cause: tie('err') }, { requiredKeys: [] }),
    ),
  })).err;

  it('describeNetworkError: an OsmoError (exit 10) for anything thrown, whatever the URL', () => {
    fc.assert(
      fc.property(errorLike, fc.oneof(fc.webUrl(), fc.string()), fc.integer({ min: 1, max: 120_000 }), (err, url, timeout) => {
        const mapped = describeNetworkError(err, url, timeout, {});
        assert.ok(mapped instanceof OsmoError);
        assert.equal(mapped.exitCode, 10);
        assertPrintable(mapped.message, undefined, 'network error');
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('a self-referencing cause chain ends', () => {
    const loop: { code?: string; cause?: unknown } = {};
    loop.cause = loop;
    assert.ok(describeNetworkError(loop, 'https://osmo.example.com', 1000, {}) instanceof NetworkError);
  });

  it('oneLine keeps only printable text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 4, max: 400 }), (text, max) => {
      const line = oneLine(text, max);
      assert.ok(!UNPRINTABLE.test(line) && !/\s{2}|^\s|\s$/.test(line));
      assert.ok(line.length <= max);
    }), { numRuns: RUNS });
  });
});
