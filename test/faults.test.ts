// The fault matrix: what networks, proxies and broken services do to osmo.
// Each row expects SPEC.md's exit code (10 server/network, 75 rate limited),
// one readable `Error:` line and no stack trace, a bounded run time, the
// retries it should (idempotent requests only) and none it should not, and a
// config directory left as it was. Each row runs osmo in-process through
// main() (test/helpers/in-process.ts): the faults are the network's and the
// server's, and exit codes and messages are main()'s; bin/osmo's own exit code
// and stderr are covered by the end-to-end cases of other files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOsmoServer, type Fault, type OsmoServer, type OsmoServerOptions } from './server/osmo-server.js';
import { hashTree, tempDir, type RunResult } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import {
  closedPort, endlessBody, selfSignedCert, stallingBody, startGarbageServer, startHttpServer, type SmallServer,
} from './helpers/fault-servers.js';
import { EXCHANGE, LIST, futureDate } from './helpers/fixtures.js';
import { writeState } from '../src/config/state.js';

const CREATE = 'POST /api/auth/access_token/ok';
const DELETE = 'DELETE /api/auth/access_token/ok';
const PROXY_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const tokenRow = { user_name: 'user@example.com', token_name: 't', expires_at: '2027-01-01T00:00:00', description: 'x'.repeat(2000), roles: [] };

/** Servers and users a row sets up; everything is closed after the row. */
class Arena {
  private closers: Array<() => Promise<void>> = [];
  server?: OsmoServer;

  async osmo(opts: OsmoServerOptions = {}, ...faults: Fault[]): Promise<OsmoServer> {
    const server = await startOsmoServer(opts);
    this.closers.push(() => server.close());
    for (const f of faults) server.fault(f);
    this.server = server;
    return server;
  }

  async small(start: Promise<SmallServer>): Promise<SmallServer> {
    const server = await start;
    this.closers.push(() => server.close());
    return server;
  }

  /** A config directory holding a developer login to `url` (what `osmo login --method dev` writes). */
  devUser(url: string): string {
    const dir = tempDir();
    writeState(dir, { version: 1, current: url, servers: { [url]: { method: 'dev', username: 'user@example.com' } } });
    return dir;
  }

  /** A token file holding a PAT (a valid one when a server is given). */
  tokenFile(server?: OsmoServer): string {
    const file = join(tempDir('osmo-pat-'), 'token');
    writeFileSync(file, `${server ? server.issuePat('user@example.com', 'ci-token') : 'opaque-access-token-value'}\n`, { mode: 0o600 });
    return file;
  }

  async close(): Promise<void> {
    await Promise.all(this.closers.map((close) => close()));
  }
}

interface Act {
  dir: string;
  args: string[];
  env?: Record<string, string>;
}

interface FaultRow {
  name: string;
  arrange: (a: Arena) => Promise<Act>;
  code: number;
  /** The text after `Error: ` (failures only). */
  message?: RegExp;
  /** Default: '' for failures. */
  stdout?: string | RegExp;
  /** Requests the row's OSMO server must have seen, by route; '*' for all. */
  requests?: Record<string, number>;
  /** Upper bound on the command's run time. */
  maxMs: number;
}

const list = (dir: string, env?: Record<string, string>): Act => ({ dir, args: ['token', 'list'], env });
const devList = async (a: Arena, ...faults: Fault[]): Promise<Act> => list(a.devUser((await a.osmo({}, ...faults)).url));
const login = (a: Arena, url: string, file: string, env?: Record<string, string>): Act => ({
  dir: tempDir(), args: ['login', url, '--method', 'token', '--token-file', file], env,
});
const LOGGING_IN = /^Logging in to \S+\n$/;
const FAST = 8_000;
const RETRIES = 12_000;

const rows: FaultRow[] = [
  {
    name: 'connection refused (token list)',
    arrange: async (a) => list(a.devUser(`http://127.0.0.1:${await closedPort()}`)),
    code: 10, message: /^cannot connect to 127\.0\.0\.1:\d+: connection refused$/, maxMs: RETRIES,
  },
  {
    name: 'connection refused (login: the PAT exchange)',
    arrange: async (a) => login(a, `http://127.0.0.1:${await closedPort()}`, a.tokenFile()),
    code: 10, message: /^cannot connect to 127\.0\.0\.1:\d+: connection refused$/, stdout: LOGGING_IN, maxMs: RETRIES,
  },
  {
    name: 'unresolvable host osmo.invalid (login)',
    arrange: async (a) => login(a, 'https://osmo.invalid', a.tokenFile()),
    code: 10, message: /^cannot resolve host osmo\.invalid$/, stdout: LOGGING_IN, maxMs: RETRIES,
  },
  {
    name: 'unresolvable host osmo.invalid (token list of a stored login)',
    arrange: async (a) => list(a.devUser('https://osmo.invalid')),
    code: 10, message: /^cannot resolve host osmo\.invalid$/, maxMs: RETRIES,
  },
  {
    name: 'TLS: self-signed certificate is refused',
    arrange: async (a) => {
      const server = await a.osmo({ tls: selfSignedCert('IP:127.0.0.1') });
      return login(a, server.url, a.tokenFile(server));
    },
    code: 10, message: /^the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/, stdout: LOGGING_IN,
    requests: { '*': 0 }, maxMs: FAST,
  },
  {
    name: 'TLS: the same certificate, trusted through OSMO_CA_FILE, logs in (control)',
    arrange: async (a) => {
      const cert = selfSignedCert('IP:127.0.0.1');
      const server = await a.osmo({ tls: cert });
      return login(a, server.url, a.tokenFile(server), { OSMO_CA_FILE: cert.certFile });
    },
    code: 0, stdout: /^Logging in to https:\/\/127\.0\.0\.1:\d+\nSuccessfully logged in\. Welcome user@example\.com\.\n$/, requests: { [EXCHANGE]: 1 }, maxMs: FAST,
  },
  {
    name: 'TLS: trusted certificate for another host name',
    arrange: async (a) => {
      const cert = selfSignedCert('DNS:osmo.test');
      const server = await a.osmo({ tls: cert });
      return login(a, server.url, a.tokenFile(server), { OSMO_CA_FILE: cert.certFile });
    },
    code: 10, message: /^the TLS certificate of 127\.0\.0\.1:\d+ is for another host name \(ERR_TLS_CERT_ALTNAME_INVALID\)$/, stdout: LOGGING_IN,
    requests: { '*': 0 }, maxMs: FAST,
  },
  {
    name: 'https:// URL pointing at a plain-HTTP port',
    arrange: async (a) => {
      const server = await a.osmo();
      return list(a.devUser(server.url.replace('http://', 'https://')));
    },
    code: 10, message: /^cannot make a TLS connection to 127\.0\.0\.1:\d+ \(ERR_SSL_WRONG_VERSION_NUMBER\)$/, requests: { '*': 0 }, maxMs: FAST,
  },
  {
    name: 'a peer that does not speak HTTP',
    arrange: async (a) => list(a.devUser((await a.small(startGarbageServer())).url)),
    code: 10, message: /^127\.0\.0\.1:\d+ did not answer in HTTP$/, maxMs: RETRIES,
  },
  {
    name: 'response slower than OSMO_HTTP_TIMEOUT=2 (token list)',
    arrange: async (a) => ({ ...(await devList(a, { route: LIST, delayMs: 30_000 })), env: { OSMO_HTTP_TIMEOUT: '2' } }),
    code: 10, message: /^no response from 127\.0\.0\.1:\d+ within 2 s$/, requests: { [LIST]: 1 }, maxMs: FAST,
  },
  {
    name: 'PAT exchange slower than OSMO_HTTP_TIMEOUT=1.5 (login)',
    // The time-out runs from the call, connecting included (undici compiles its parser on the
    // first connect): on a loaded machine a short one could run out before the request left,
    // and these rows are about a slow server.
    arrange: async (a) => {
      const server = await a.osmo({}, { route: EXCHANGE, delayMs: 30_000 });
      return login(a, server.url, a.tokenFile(server), { OSMO_HTTP_TIMEOUT: '1.5' });
    },
    code: 10, message: /^no response from 127\.0\.0\.1:\d+ within 1\.5 s$/, stdout: LOGGING_IN, requests: { [EXCHANGE]: 1 }, maxMs: FAST,
  },
  {
    name: 'body stalls after the headers (OSMO_HTTP_TIMEOUT=1)',
    arrange: async (a) => list(a.devUser((await a.small(startHttpServer(stallingBody))).url), { OSMO_HTTP_TIMEOUT: '1' }),
    code: 10, message: /^no response from 127\.0\.0\.1:\d+ within 1 s$/, maxMs: FAST,
  },
  {
    name: 'connection dropped before any response (GET retried, then exit 10)',
    arrange: (a) => devList(a, { route: LIST, drop: 'immediately', times: Infinity }),
    code: 10, message: /^the connection to 127\.0\.0\.1:\d+ was closed unexpectedly$/, requests: { [LIST]: 4 }, maxMs: RETRIES,
  },
  {
    name: 'connection dropped mid-body (token list)',
    arrange: (a) => devList(a, { route: LIST, status: 200, body: JSON.stringify([tokenRow]), drop: 'mid-body', times: Infinity }),
    code: 10, message: /^the connection to 127\.0\.0\.1:\d+ was (cut off in the middle of the response|closed unexpectedly)$/, maxMs: RETRIES,
  },
  {
    name: 'connection dropped mid-body on token set (a create is not retried)',
    arrange: async (a) => ({ ...(await devList(a, { route: CREATE, status: 200, body: JSON.stringify('osmo_secret_pat_value'), drop: 'mid-body', times: Infinity })), args: ['token', 'set', 'ok'] }),
    code: 10, message: /^the connection to 127\.0\.0\.1:\d+ was (cut off in the middle of the response|closed unexpectedly)$/, requests: { [CREATE]: 1 }, maxMs: FAST,
  },
  {
    name: '502 HTML page from a proxy (GET retried 3 times)',
    arrange: (a) => devList(a, { route: LIST, status: 502, body: PROXY_502, times: Infinity }),
    code: 10, message: /^the server failed to list tokens \(HTTP 502\)$/, requests: { [LIST]: 4 }, maxMs: RETRIES,
  },
  {
    name: '503 once, then the retry succeeds',
    arrange: (a) => devList(a, { route: LIST, status: 503 }),
    code: 0, stdout: 'No tokens found\n', requests: { [LIST]: 2 }, maxMs: FAST,
  },
  {
    name: '503 once on the PAT exchange, the login succeeds on retry',
    arrange: async (a) => {
      const server = await a.osmo({}, { route: EXCHANGE, status: 503 });
      return login(a, server.url, a.tokenFile(server));
    },
    code: 0, stdout: /^Logging in to \S+\nSuccessfully logged in\. Welcome user@example\.com\.\n$/, requests: { [EXCHANGE]: 2 }, maxMs: FAST,
  },
  {
    name: '503 with a JSON message names it',
    arrange: (a) => devList(a, { route: LIST, status: 503, body: '{"message":"down for maintenance until 14:00 UTC"}', times: Infinity }),
    code: 10, message: /^the server failed to list tokens \(HTTP 503: down for maintenance until 14:00 UTC\)$/, requests: { [LIST]: 4 }, maxMs: RETRIES,
  },
  {
    name: '504 on token delete (DELETE retried 3 times)',
    arrange: async (a) => ({ ...(await devList(a, { route: DELETE, status: 504, times: Infinity })), args: ['token', 'delete', 'ok'] }),
    code: 10, message: /^the server failed to delete the token \(HTTP 504\)$/, requests: { [DELETE]: 4 }, maxMs: RETRIES,
  },
  {
    name: 'token set (POST create) is NOT retried on 503',
    arrange: async (a) => ({ ...(await devList(a, { route: CREATE, status: 503, times: Infinity })), args: ['token', 'set', 'ok', '-e', futureDate(10)] }),
    code: 10, message: /^the server failed to create the token \(HTTP 503\)$/, requests: { [CREATE]: 1 }, maxMs: FAST,
  },
  {
    name: '500 plain text (not a transient status: no retry)',
    arrange: (a) => devList(a, { route: LIST, status: 500, body: 'Internal Server Error', times: Infinity }),
    code: 10, message: /^the server failed to list tokens \(HTTP 500\)$/, requests: { [LIST]: 1 }, maxMs: FAST,
  },
  {
    name: '429 with Retry-After: 30 (exit 75 at once, no sleeping)',
    arrange: (a) => devList(a, { route: LIST, status: 429, body: 'Too Many Requests', headers: { 'retry-after': '30' }, times: Infinity }),
    code: 75, message: /^too many requests \(HTTP 429\); retry after 30 s$/, requests: { [LIST]: 1 }, maxMs: FAST,
  },
  {
    name: '429 on the PAT exchange (login)',
    arrange: async (a) => {
      const server = await a.osmo({}, { route: EXCHANGE, status: 429, headers: { 'retry-after': '5' }, times: Infinity });
      return login(a, server.url, a.tokenFile(server));
    },
    code: 75, message: /^too many requests \(HTTP 429\); retry after 5 s$/, stdout: LOGGING_IN, requests: { [EXCHANGE]: 1 }, maxMs: FAST,
  },
  {
    name: '200 whose body is not JSON',
    arrange: (a) => devList(a, { route: LIST, status: 200, body: '<html><body>Welcome to nginx!</body></html>' }),
    code: 10, message: /^the server's answer to "list tokens" is not JSON \(HTTP 200\)$/, requests: { [LIST]: 1 }, maxMs: FAST,
  },
  {
    name: '200 with an empty body',
    arrange: (a) => devList(a, { route: LIST, status: 200, body: '', contentType: 'application/json' }),
    code: 10, message: /^the server's answer to "list tokens" is not JSON \(HTTP 200\)$/, maxMs: FAST,
  },
  {
    name: '200 JSON that does not match the schema',
    arrange: (a) => devList(a, { route: LIST, status: 200, body: '{"tokens":[]}' }),
    code: 10, message: /^the server's answer to "list tokens" does not match the OSMO API: /, requests: { [LIST]: 1 }, maxMs: FAST,
  },
  {
    name: '200 JSON with a wrong field type deep inside',
    arrange: (a) => devList(a, { route: LIST, status: 200, body: JSON.stringify([{ ...tokenRow, roles: [1] }]) }),
    code: 10, message: /^the server's answer to "list tokens" does not match the OSMO API at 0\.roles\.0: /, maxMs: FAST,
  },
  {
    name: 'a 10 MB body',
    arrange: (a) => devList(a, { route: LIST, status: 200, body: `[${' '.repeat(10 * 1024 * 1024)}]` }),
    code: 10, message: /^the response is larger than 8 MiB; this is not an OSMO service answer$/, maxMs: FAST,
  },
  {
    name: 'a chunked body that never ends',
    arrange: async (a) => list(a.devUser((await a.small(startHttpServer(endlessBody))).url)),
    code: 10, message: /^the response is larger than 8 MiB; this is not an OSMO service answer$/, maxMs: FAST,
  },
  {
    name: '302 redirect to a single sign-on page',
    arrange: (a) => devList(a, { route: LIST, status: 302, body: '', headers: { location: 'https://sso.example.com/login' } }),
    code: 10, message: /^unexpected redirect \(HTTP 302\) while trying to list tokens$/, requests: { [LIST]: 1 }, maxMs: FAST,
  },
  {
    name: 'stored token login: expired JWT, the exchange answers 502 (retried), the login survives',
    arrange: async (a) => {
      const server = await a.osmo();
      server.setJwtLifetime(5); // inside the 30 s margin: every command renews first
      const act = login(a, server.url, a.tokenFile(server));
      const res = await runInProcess(act.args, act.dir);
      assert.equal(res.code, 0, res.stderr);
      server.resetCounts();
      server.fault({ route: EXCHANGE, status: 502, body: PROXY_502, times: Infinity });
      return list(act.dir);
    },
    code: 10, message: /^the server failed to exchange the access token \(HTTP 502\)$/, requests: { [EXCHANGE]: 4, [LIST]: 0 }, maxMs: RETRIES,
  },
];

describe('faults: exit codes of SPEC.md, one readable message, bounded time, state kept', { concurrency: 4 }, () => {
  // Every row's servers and users are set up first, one row after another,
  // and osmo's modules loaded by a first command: in-process, the rows' osmo
  // shares this event loop, and a server start (its key pair is made
  // synchronously) or a first import must not run inside another row's timing.
  const arranged = new Map<FaultRow, { arena: Arena; act: Act }>();
  before(async () => {
    const warmUp = new Arena();
    try {
      const act = await devList(warmUp);
      const res = await runInProcess(act.args, act.dir);
      assert.equal(res.code, 0, res.stderr);
    } finally {
      await warmUp.close();
    }
    for (const row of rows) {
      const arena = new Arena();
      arranged.set(row, { arena, act: await row.arrange(arena) });
    }
  });
  after(async () => {
    await Promise.all([...arranged.values()].map(({ arena }) => arena.close()));
  });

  for (const row of rows) {
    it(row.name, async () => {
      const { arena, act } = arranged.get(row)!;
      const hashBefore = hashTree(act.dir);
      const started = Date.now();
      const res: RunResult = await runInProcess(act.args, act.dir, { env: act.env });
      const elapsed = Date.now() - started;

      if (row.code === 0) {
        assert.equal(res.code, 0, res.stderr);
      } else {
        assertCleanFailure(res, { code: row.code, message: row.message! });
        assert.doesNotMatch(res.stderr, /<html|<body|<\/|nginx/i, 'no dump of an HTML page');
        assert.equal(hashTree(act.dir), hashBefore, 'config directory unchanged');
      }
      const stdout = row.stdout ?? '';
      if (typeof stdout === 'string') assert.equal(res.stdout, stdout);
      else assert.match(res.stdout, stdout);
      for (const [route, n] of Object.entries(row.requests ?? {})) {
        assert.ok(arena.server, 'requests are counted by the row\'s OSMO server');
        assert.equal(route === '*' ? arena.server.count() : arena.server.count(route), n, `requests to ${route}`);
      }
      assert.ok(elapsed < row.maxMs, `took ${elapsed} ms, bound ${row.maxMs} ms`);
    });
  }
});
