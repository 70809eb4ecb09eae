// Secret hygiene and transport safety. A whole session runs with debug
// logging on; the PAT it logged in with and every JWT the server issued must
// appear in no output (the new PAT once, in `token set`'s stdout) and in no
// file but the credential store.
//
// osmo runs in-process through main() (test/helpers/in-process.ts): the output
// and the files are main()'s. A few steps of the debug session run the real
// bin/osmo, so that what only the process adds (bin/run-bundle.js's code cache
// line, the process's own streams) is checked for leaks too: a login and a list.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startOsmoServer } from './server/osmo-server.js';
import { baseEnv, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { assertCleanFailure, escapeRegExp } from './helpers/assert-cli.js';
import { EXCHANGE, LIST } from './helpers/fixtures.js';
import { nonLoopbackIPv4, startForwarder } from './helpers/fault-servers.js';
import { skipOrFail } from './helpers/unavailable.js';

const CREDENTIALS = 'credentials.json';
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;
const DEBUG_REQUEST = /^\[debug\] > (GET|POST|DELETE) (http:\/\/127\.0\.0\.1:\d+\/api\/auth\/\S+)( \(authorization: Bearer \[redacted\]\))?$/;
// bin/run-bundle.js says what became of V8's code cache: at most the path of a cache file under
// the XDG_CACHE_HOME these runs get (baseEnv), whose own path may hold spaces. The test run's
// osmo processes share one cache, so another test file's run may be writing it at that moment.
const CACHE_FILE = `${escapeRegExp(baseEnv(tempDir()).XDG_CACHE_HOME!)}/osmo/[^/\\s]+/[^/\\s]+`;
const DEBUG_CODE_CACHE = new RegExp(`^\\[debug\\] code cache: (none yet|not written: another osmo is writing it|used \\(read and checked in [0-9.]+ ms\\)|rejected by V8, replacing it|not used: ${CACHE_FILE} was not written by osmo for this build, or was changed since; replacing it|written to ${CACHE_FILE}\\.bin)$`);
const DEBUG_RESPONSE = /^\[debug\] < (\d{3}|failed) (GET|POST|DELETE) (http:\/\/127\.0\.0\.1:\d+\/api\/auth\/\S+) (in|after) \d+ ms/;

/** Every file under a directory, by relative path. */
function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

function tokenFile(pat: string, mode = 0o600): string {
  const file = join(tempDir('osmo-pat-'), 'token');
  writeFileSync(file, `${pat}\n`);
  chmodSync(file, mode);
  return file;
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

interface Step {
  label: string;
  args: string[];
  env?: Record<string, string>;
  input?: string;
  /** Runs just before the step. */
  before?: () => void;
  code: number;
  /** Through the real bin/osmo rather than in-process. */
  process?: true;
}

describe('secret hygiene', { concurrency: true }, () => {
  it('a whole debug session: the login PAT and every JWT appear in no output and in no file but the credential store', async (t) => {
    const server = await startOsmoServer();
    try {
      const { url } = server;
      const dir = tempDir();
      const loginPat = server.issuePat('user@example.com', 'login-token');
      const jwts = new Set<string>();
      const files = new Map<string, string>(); // every version of every file, keyed by step and path
      const debug = { OSMO_DEBUG: '1' };
      const currentJwt = (): string => [...(filesUnder(dir).get(CREDENTIALS) ?? '').matchAll(JWT)].map((m) => m[0]).at(-1) ?? '';

      const steps: Step[] = [
        { label: 'login by token file', args: ['--debug', 'login', url, '--method', 'token', '--token-file', tokenFile(loginPat)], code: 0, process: true },
        { label: 'token set', args: ['--debug', 'token', 'set', 'new-token', '-d', 'for CI', '-r', 'osmo-user'], code: 0 },
        { label: 'token list', args: ['token', 'list', '--debug'], code: 0, process: true },
        { label: 'token list -t json (OSMO_DEBUG=1)', args: ['token', 'list', '-t', 'json'], env: debug, code: 0 },
        { label: 'whoami', args: ['--debug', 'whoami'], code: 0 },
        { label: 'whoami -t json', args: ['whoami', '-t', 'json'], env: debug, code: 0 },
        { label: 'api GET -i', args: ['--debug', 'api', '-i', '/api/auth/access_token'], code: 0 },
        // The one command whose job is to print a JWT (for curl); checked separately below.
        { label: 'print-token', args: ['print-token'], code: 0 },
        // A re-keyed service rejects the cached JWT: the client exchanges again and retries (a second JWT).
        { label: 'token roles after the service re-keyed', args: ['--debug', 'token', 'roles', 'new-token'], before: () => server.rotateSigningKey(), code: 0 },
        { label: 'failing command: roles of a missing token', args: ['--debug', 'token', 'roles', 'missing-token'], code: 2 },
        {
          label: 'failing command: a proxy echoes the Authorization header in its 400',
          args: ['--debug', 'token', 'delete', 'new-token'],
          before: () => server.fault({ route: 'DELETE /api/auth/access_token/new-token', status: 400, contentType: 'text/plain', body: `Bad request. Received headers: Authorization: Bearer ${currentJwt()}` }),
          code: 2,
        },
        {
          label: 'failing command: a 422 echoing the JWT (-t json)',
          args: ['token', 'list', '-t', 'json'],
          env: debug,
          before: () => server.fault({ route: LIST, status: 422, body: JSON.stringify({ detail: [{ loc: ['header', 'authorization'], msg: `bad value Bearer ${currentJwt()}`, type: 'value_error' }] }) }),
          code: 2,
        },
        { label: 'failing command: 503 from the service', args: ['--debug', 'token', 'list'], before: () => server.fault({ route: LIST, status: 503, body: `{"message":"backend saw ${currentJwt()}"}`, times: Infinity }), code: 10 },
        { label: 'token delete', args: ['--debug', 'token', 'delete', 'new-token'], before: () => server.clearFaults(), code: 0 },
        { label: 'logout', args: ['--debug', 'logout'], code: 0 },
      ];

      const results: Array<{ step: Step; res: RunResult }> = [];
      for (const step of steps) {
        step.before?.();
        const res = await (step.process ? runOsmo : runInProcess)(step.args, dir, { env: step.env, input: step.input });
        assert.equal(res.code, step.code, `${step.label}: exit ${res.code}\n${res.stderr}`);
        results.push({ step, res });
        for (const [path, text] of filesUnder(dir)) {
          files.set(`after "${step.label}": ${path}`, text);
          for (const m of text.matchAll(JWT)) jwts.add(m[0]);
        }
      }
      // Every JWT the client presented, straight from the wire.
      for (const req of server.requests) {
        const bearer = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
        if (bearer) jwts.add(bearer);
      }
      const codeCache = results.filter((r) => r.step.process).flatMap((r) => r.res.stderr.split('\n')).filter((l) => l.startsWith('[debug] code cache:'));
      assert.ok(codeCache.length >= 2, 'the steps run through bin/osmo show its code cache line');
      assert.ok(jwts.size >= 2, `expected the login JWT and the one after re-keying, saw ${jwts.size}`);
      assert.equal(server.count(EXCHANGE), 2);

      const newPat = /^Access token: (\S+)$/m.exec(results[1]!.res.stdout)?.[1];
      assert.ok(newPat, results[1]!.res.stdout);
      let checks = 0;
      const secrets = [
        { name: 'login PAT', value: loginPat },
        ...[...jwts].flatMap((jwt, i) => [
          { name: `JWT #${i + 1}`, value: jwt },
          { name: `signature of JWT #${i + 1}`, value: jwt.split('.')[2]! },
        ]),
      ];

      // Outputs: no secret anywhere; the new PAT exactly once, in token set's stdout.
      const printed = results.find((r) => r.step.label === 'print-token')!.res.stdout;
      assert.ok(jwts.has(printed.trim()), 'print-token prints the current JWT');
      for (const { step, res } of results) {
        for (const [stream, text] of [['stdout', res.stdout], ['stderr', res.stderr]] as const) {
          for (const secret of secrets) {
            if (step.label === 'print-token' && stream === 'stdout' && printed.trim().includes(secret.value)) continue;
            checks += 1;
            assert.ok(!text.includes(secret.value), `${secret.name} leaked to ${stream} of "${step.label}":\n${text}`);
          }
          checks += 1;
          const expected = step.label === 'token set' && stream === 'stdout' ? 1 : 0;
          assert.equal(occurrences(text, newPat), expected, `new PAT in ${stream} of "${step.label}"`);
        }
      }

      // Files: secrets only in the credential store, and none left after logout.
      for (const [where, text] of files) {
        const isStore = where.endsWith(`: ${CREDENTIALS}`);
        for (const secret of [...secrets, { name: 'new PAT', value: newPat }]) {
          if (isStore && secret.name !== 'new PAT') continue;
          checks += 1;
          assert.ok(!text.includes(secret.value), `${secret.name} found in ${where}`);
        }
      }
      assert.ok([...files.keys()].some((k) => k.endsWith(`: ${CREDENTIALS}`)), 'the session used the file store');
      for (const [path, text] of filesUnder(dir)) {
        for (const secret of secrets) {
          checks += 1;
          assert.ok(!text.includes(secret.value), `${secret.name} still in ${path} after logout`);
        }
      }

      // Debug lines: method, URL, status and time; Authorization only as [redacted].
      for (const { step, res } of results) {
        const lines = res.stderr.split('\n').filter((l) => l.startsWith('[debug]'));
        const sent = lines.filter((l) => l.startsWith('[debug] >'));
        const debugOn = step.args.includes('--debug') || step.env?.OSMO_DEBUG === '1';
        if (debugOn && !['logout', 'whoami', 'whoami -t json'].includes(step.label)) assert.ok(sent.length > 0, `no debug lines for "${step.label}"`);
        for (const line of lines) assert.ok(DEBUG_REQUEST.test(line) || DEBUG_RESPONSE.test(line) || DEBUG_CODE_CACHE.test(line), `debug line format: ${line}`);
        for (const line of sent) {
          const answered = lines.some((l) => DEBUG_RESPONSE.exec(l)?.[3] === DEBUG_REQUEST.exec(line)?.[2]);
          assert.ok(answered, `no status line for: ${line}`);
          if (!line.includes('/api/auth/jwt/access_token')) assert.match(line, /\(authorization: Bearer \[redacted\]\)$/, line);
        }
      }
      const roles = results.find((r) => r.step.label === 'token roles after the service re-keyed')!.res.stderr;
      assert.match(roles, /^\[debug\] < 401 GET \S+\/api\/auth\/access_token\/new-token\/roles in \d+ ms$/m);
      assert.match(roles, /^\[debug\] < 200 POST \S+\/api\/auth\/jwt\/access_token in \d+ ms$/m);
      // The echoed credential is shown redacted, not verbatim.
      assert.match(results.find((r) => r.step.label.includes('echoes the Authorization'))!.res.stderr, /^Error: Bad request\. Received headers: Authorization: Bearer \[redacted\] \(HTTP 400\)$/m);
      assert.match(results.find((r) => r.step.label.includes('422 echoing'))!.res.stderr, /"message":"the service rejected the request: header\.authorization: bad value Bearer \[redacted\]"/);
      t.diagnostic(`leak checks: ${checks}; secrets tracked: login PAT, new PAT, ${jwts.size} JWTs`);
    } finally {
      await server.close();
    }
  });

  it('CI mode (OSMO_URL + OSMO_TOKEN, OSMO_DEBUG=1): the PAT and JWT are printed nowhere and nothing is written', async () => {
    const server = await startOsmoServer();
    try {
      const pat = server.issuePat('user@example.com', 'ci-token');
      const dir = join(tempDir(), 'osmo');
      const env = { OSMO_URL: server.url, OSMO_TOKEN: pat, OSMO_DEBUG: '1' };
      const outputs: string[] = [];
      for (const args of [['token', 'list'], ['token', 'roles', 'ci-token'], ['token', 'roles', 'nope']]) {
        const res = await runInProcess(args, dir, { env });
        outputs.push(res.stdout, res.stderr);
      }
      const bearers = server.requests.map((r) => /^Bearer (\S+)$/.exec(String(r.headers.authorization ?? ''))?.[1]).filter((b): b is string => Boolean(b));
      assert.ok(bearers.length >= 3);
      for (const text of outputs) {
        assert.ok(!text.includes(pat), 'PAT printed');
        for (const jwt of bearers) assert.ok(!text.includes(jwt), 'JWT printed');
      }
      assert.equal(existsSync(dir), false, 'CI mode wrote to the config directory');
    } finally {
      await server.close();
    }
  });
});

describe('transport safety', { concurrency: true }, () => {
  it('warns when --token-file is readable by group or others, and not when it is 0600', async () => {
    const server = await startOsmoServer();
    try {
      for (const mode of [0o644, 0o640, 0o604, 0o600]) {
        const pat = server.issuePat('user@example.com', `mode-${mode.toString(8)}`);
        const file = tokenFile(pat, mode);
        const res = await runInProcess(['login', server.url, '--method', 'token', '--token-file', file], tempDir());
        assert.equal(res.code, 0, res.stderr);
        if (mode === 0o600) {
          assert.equal(res.stderr, '');
        } else {
          const octal = mode.toString(8);
          assert.equal(res.stderr, `Warning: ${file} is readable by other users (mode ${octal}); run \`chmod 600 ${file}\`\n`);
        }
        assert.ok(!res.stderr.includes(pat) && !res.stdout.includes(pat));
      }
    } finally {
      await server.close();
    }
  });

  it('refuses plain http:// to a non-loopback host before any DNS look-up (exit 2, not 10)', async () => {
    const pat = 'opaque-access-token-value';
    const refused = /^refusing to send (credentials|OSMO_TOKEN) over plain http:\/\/ to example\.invalid$/;
    const login = await runInProcess(['login', 'http://example.invalid', '--method', 'token', '--token-file', tokenFile(pat)], tempDir());
    assertCleanFailure(login, { code: 2, message: refused });
    assert.equal(login.stdout, '');

    const ci = await runInProcess(['token', 'list'], tempDir(), { env: { OSMO_URL: 'http://example.invalid', OSMO_TOKEN: pat } });
    assertCleanFailure(ci, { code: 2, message: refused });

    // With the explicit flag the request does go out (and fails at DNS, exit 10), after a warning.
    const allowed = await runInProcess(['login', 'http://example.invalid', '--method', 'token', '--token-file', tokenFile(pat), '--allow-insecure-http'], tempDir());
    assertCleanFailure(allowed, {
      code: 10,
      message: /^cannot resolve host example\.invalid$/,
      before: [/^Warning: credentials for http:\/\/example\.invalid travel unencrypted over http:\/\/$/],
    });
  });

  it('loopback http:// needs no flag (localhost and 127.0.0.1)', async () => {
    const server = await startOsmoServer();
    try {
      for (const [i, url] of [server.url, server.url.replace('127.0.0.1', 'localhost')].entries()) {
        const pat = server.issuePat('user@example.com', `loop-${i}`);
        const res = await runInProcess(['login', url, '--method', 'token', '--token-file', tokenFile(pat)], tempDir());
        assert.equal(res.code, 0, res.stderr);
        assert.equal(res.stderr, '');
      }
    } finally {
      await server.close();
    }
  });

  it('a non-loopback http:// server: refused without the flag, allowed and remembered with it, warned about each time', async (t) => {
    const ip = nonLoopbackIPv4();
    if (!ip) return skipOrFail(t, 'no non-loopback IPv4 address on this machine');
    const server = await startOsmoServer();
    const forwarder = await startForwarder(ip, Number(new URL(server.url).port));
    try {
      const dir = tempDir();
      const warning = new RegExp(`^Warning: credentials for ${forwarder.url.replace(/\./g, '\\.')} travel unencrypted over http://\\n`);
      const file = tokenFile(server.issuePat('user@example.com', 'lan-token'));
      const refused = await runInProcess(['login', forwarder.url, '--method', 'token', '--token-file', file], dir);
      assertCleanFailure(refused, { code: 2, message: /^refusing to send credentials over plain http:\/\// });
      assert.equal(server.count(), 0, 'nothing was sent');

      const allowed = await runInProcess(['login', forwarder.url, '--method', 'token', '--token-file', file, '--allow-insecure-http'], dir);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stderr, warning);

      const again = await runInProcess(['login', forwarder.url, '--method', 'token', '--token-file', file], dir);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, warning);
      assert.equal((await runInProcess(['token', 'list'], dir)).code, 0);
    } finally {
      await forwarder.close();
      await server.close();
    }
  });
});
