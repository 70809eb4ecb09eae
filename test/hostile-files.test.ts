// Hostile files where osmo reads a secret or a CA bundle: endless devices,
// huge files, and pipes nobody writes to. Finding 7 of issue 13.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OSMO_BIN, baseEnv, hashTree, runOsmo, tempDir, type RunResult } from './helpers/cli.js';
import { assertCleanFailure } from './helpers/assert-cli.js';
import { runInProcess } from './helpers/in-process.js';
import { useServer } from './helpers/fixtures.js';
import { makeTestCa } from './helpers/test-ca.js';
import { writeState } from '../src/config/state.js';

const server = useServer();
const ca = makeTestCa();
const tlsServer = useServer({ tls: { key: ca.key, cert: ca.cert } });

/**
 * A dev login to the plain server: any command then reads OSMO_CA_FILE before its request.
 * Written as `osmo login URL --method dev` leaves it: that login's own check request would count here.
 */
async function devUser(): Promise<string> {
  const dir = tempDir();
  writeState(dir, { version: 1, current: server().url, servers: { [server().url]: { method: 'dev', username: 'user@example.com' } } });
  return dir;
}

function fifo(): string {
  const path = join(tempDir('osmo-fifo-'), 'pipe');
  execFileSync('mkfifo', [path]);
  return path;
}

/** A shell line run by bash, with $NODE and $OSMO set: for redirections and <(…). */
function bash(script: string, dir: string, env: Record<string, string>, timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { env: baseEnv(dir, { ...env, OSMO: OSMO_BIN, NODE: process.execPath }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Whether process `pid` has `path` open (Linux /proc). */
function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

const passwordLogin = (file: string): string[] => ['login', server().url, '--method', 'password', '--username', 'svc@example.com', '--password-file', file];
const tokenLogin = (file: string): string[] => ['login', server().url, '--method', 'token', '--token-file', file];

describe('finding 7: secret files and CA bundles are bounded, and pipes stay interruptible', () => {
  const endless: Array<{ name: string; run: () => Promise<RunResult>; message: RegExp }> = [
    { name: '--token-file /dev/zero', run: () => runOsmo(tokenLogin('/dev/zero'), tempDir(), { timeoutMs: 10_000 }), message: /^--token-file \/dev\/zero is not a regular file or a pipe$/ },
    { name: '--password-file /dev/zero', run: () => runOsmo(passwordLogin('/dev/zero'), tempDir(), { timeoutMs: 10_000 }), message: /^--password-file \/dev\/zero is not a regular file or a pipe$/ },
    { name: '--token-stdin < /dev/zero', run: () => bash('exec "$NODE" "$OSMO" login "$URL" --method token --token-stdin < /dev/zero', tempDir(), { URL: server().url }), message: /^standard input is larger than 64 KiB/ },
    { name: 'OSMO_CA_FILE=/dev/zero', run: async () => runOsmo(['token', 'list'], await devUser(), { env: { OSMO_CA_FILE: '/dev/zero' }, timeoutMs: 10_000 }), message: /^the CA file \/dev\/zero \(OSMO_CA_FILE\) is not a regular file or a pipe$/ },
  ];
  for (const row of endless) {
    it(`${row.name}: refused at once, nothing read`, async () => {
      const before = server().count();
      const started = Date.now();
      const res = await row.run();
      assertCleanFailure(res, { code: 2, message: row.message });
      assert.ok(Date.now() - started < 8_000, 'at once: nothing was read');
      assert.equal(server().count(), before, 'no request');
    });
  }

  it('a token or password file over 64 KiB, and a CA file over 4 MiB, are refused', async () => {
    const dir = tempDir('osmo-big-');
    const big = join(dir, 'big');
    writeFileSync(big, 'x'.repeat(64 * 1024 + 1), { mode: 0o600 });
    const justRight = join(dir, 'just-right');
    writeFileSync(justRight, `${server().issuePat('user@example.com', 'padded')}${' '.repeat(64 * 1024 - 100)}`, { mode: 0o600 });
    const hugeCa = join(dir, 'ca.pem');
    writeFileSync(hugeCa, 'x'.repeat(4 * 1024 * 1024 + 1));

    const dev = await devUser();
    const hash = hashTree(dev);
    // Regular files, read up to their bound: in-process (the endless ones above run as processes,
    // which a test can kill if a read never ends).
    const token = await runInProcess(tokenLogin(big), tempDir());
    const password = await runInProcess(passwordLogin(big), tempDir());
    const caFile = await runInProcess(['token', 'list'], dev, { env: { OSMO_CA_FILE: hugeCa } });
    const fine = await runInProcess(tokenLogin(justRight), tempDir());
    assertCleanFailure(token, { code: 2, message: new RegExp(`^--token-file ${big} is larger than 64 KiB; that is not what osmo expects there$`) });
    assertCleanFailure(password, { code: 2, message: /^--password-file \S+ is larger than 64 KiB/ });
    assertCleanFailure(caFile, { code: 2, message: /^the CA file \S+ \(OSMO_CA_FILE\) is larger than 4 MiB/ });
    assert.equal(hashTree(dev), hash);
    assert.equal(fine.code, 0, 'up to 64 KiB is fine');
  });

  for (const row of [
    { name: '--token-file', args: tokenLogin },
    { name: '--password-file', args: passwordLogin },
    { name: 'OSMO_CA_FILE', args: () => ['token', 'list'] },
  ]) {
    it(`Ctrl-C while ${row.name} is a pipe nobody writes to: ends by SIGINT (status 130) at once`, async () => {
      const pipe = fifo();
      const dir = row.name === 'OSMO_CA_FILE' ? await devUser() : tempDir();
      const env = row.name === 'OSMO_CA_FILE' ? { OSMO_CA_FILE: pipe } : {};
      const child = spawn(process.execPath, [OSMO_BIN, ...row.args(pipe)], { env: baseEnv(dir, env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
      // Interrupt once osmo waits on the pipe (its SIGINT handler is in place by then); an osmo
      // stuck in a blocking open() never shows the pipe among its files, so give up waiting after 5 s.
      // (src/cli.ts installs it before any command runs: no further wait is needed.)
      for (let i = 0; i < 100 && !holdsOpen(child.pid!, pipe); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const sentAt = Date.now();
      child.kill('SIGINT');
      const guard = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const [code, signal] = await closed;
      clearTimeout(guard);
      // By SIGINT itself (a shell sees 130 and stops too), not by the SIGKILL that a Ctrl-C ignored would need.
      assert.equal(signal, 'SIGINT', `killed: Ctrl-C was ignored\n${stderr}`);
      assert.equal(code, null, stderr);
      assert.equal(stderr.trim(), 'Interrupted');
      assert.ok(Date.now() - sentAt < 2_000);
    });
  }

  it('pipes with a writer work: process substitution <(…) and a FIFO, for a token and a CA bundle', async () => {
    const pat = server().issuePat('user@example.com', 'from-a-pipe');
    const pipe = fifo();
    const tlsPat = tlsServer().issuePat('user@example.com', 'ca-from-a-pipe');
    // Three logins, each in a directory of its own: at once.
    const [substituted, fed, viaCa] = await Promise.all([
      bash('"$NODE" "$OSMO" login "$URL" --method token --token-file <(printf "%s\\n" "$PAT")', tempDir(), { URL: server().url, PAT: pat }),
      bash('(sleep 0.3; printf "%s" "$PAT" > "$PIPE") & "$NODE" "$OSMO" login "$URL" --method token --token-file "$PIPE"', tempDir(), { URL: server().url, PAT: pat, PIPE: pipe }),
      bash('OSMO_CA_FILE=<(cat "$CA") "$NODE" "$OSMO" login "$URL" --method token --token "$PAT"', tempDir(), { URL: tlsServer().url, PAT: tlsPat, CA: ca.caFile }),
    ]);
    assert.equal(substituted.code, 0, substituted.stderr);
    assert.equal(fed.code, 0, fed.stderr);
    assert.equal(viaCa.code, 0, viaCa.stderr);
  });
});
