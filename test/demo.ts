// `npm run demo`: the "Personal Access Tokens" page's whole workflow, the
// rotation it recommends, and a CI service account from creation to deletion,
// run with the real bin/osmo against the bundled local OSMO server. Everything happens in a throw-away home directory (secrets in a
// file there, never in your keychain), removed at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOsmoServer } from './server/osmo-server.js';
import { OSMO_BIN, baseEnv } from './helpers/cli.js';

const server = await startOsmoServer();
const home = mkdtempSync(join(tmpdir(), 'osmo-demo-'));
// HOME is the throw-away directory, so `~/.osmo-token` below is the demo's own file.
const env = baseEnv(join(home, '.config', 'osmo'), { HOME: home, XDG_CACHE_HOME: join(home, '.cache') });
const expiresAt = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
let failed = false;

/**
 * Runs one command with stdout and stderr on the same pipe, so the lines come
 * out in the order a terminal shows them (the `Note:` of `token set` is on
 * stderr, before the token on stdout). The server runs in this process, so
 * each command runs asynchronously beside it.
 */
function osmo(args: string[], expectedCode = 0, extraEnv: Record<string, string> = {}): Promise<void> {
  const shown = Object.entries(extraEnv).map(([k, v]) => `${k}=${v.replace(home, '~')} `).join('');
  process.stdout.write(`\n$ ${shown}osmo ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', process.execPath, OSMO_BIN, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(process.stdout, { end: false });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== expectedCode) {
        failed = true;
        process.stdout.write(`(exit ${code}, expected ${expectedCode})\n`);
      }
      resolve();
    });
  });
}

try {
  console.log(`Local OSMO server at ${server.url} (a stand-in for https://osmo.example.com); HOME is ${home}`);
  // The local service runs in developer mode, which stands in for the browser login here.
  await osmo(['login', server.url, '--method', 'dev', '--username', 'user@example.com']);
  await osmo(['token', 'set', 'my-token', '--expires-at', expiresAt, '--description', 'My automation token']);
  // The recommended way to keep a token: straight into a file, never on the screen.
  await osmo(['token', 'set', 'ci-token', '--description', 'CI/CD pipeline', '--output-file', '~/.osmo-token']);
  await osmo(['login', server.url, '--method=token', '--token-file=~/.osmo-token']);
  await osmo(['token', 'list']);
  await osmo(['token', 'roles', 'my-token']);
  // Rotation: same roles and description, a new expiry, the file replaced, the login switched over.
  await osmo(['token', 'rotate', 'ci-token', '--expires-in', '30d', '--output-file', '~/.osmo-token']);
  await osmo(['token', 'list', '--expiring-within', '35d']);
  await osmo(['status']);
  await osmo(['token', 'delete', 'my-token']);
  await osmo(['logout']);
  // Nothing stored any more: `osmo status` says so and exits 2, as scripts expect.
  await osmo(['status'], 2);

  // A service account for CI, as OSMO's deployment guide sets one up: an administrator
  // creates the user and a scoped token straight into a file for the pipeline.
  console.log('\n# A service account for CI, from creation to deletion');
  await osmo(['login', server.url, '--method', 'dev', '--username', 'admin@example.com']);
  await osmo(['user', 'create', 'svc-automation', '--roles', 'osmo-user']);
  await osmo(['token', 'set', 'automation-token', '--user', 'svc-automation', '--expires-in', '90d', '--description', 'Automation Token', '--roles', 'osmo-user', '--output-file', '~/svc-token']);
  await osmo(['user', 'list', '--id-prefix', 'svc-']);
  await osmo(['user', 'get', 'svc-automation']);
  // The pipeline logs in from the file (its own config directory), or uses OSMO_URL + OSMO_TOKEN.
  const pipeline = { OSMO_CONFIG_DIR: join(home, 'pipeline') };
  await osmo(['login', server.url, '--method', 'token', '--token-file', '~/svc-token'], 0, pipeline);
  await osmo(['whoami'], 0, pipeline);
  await osmo(['token', 'rotate', 'automation-token', '--expires-in', '30d', '--output-file', '~/svc-token'], 0, pipeline);
  await osmo(['user', 'roles', 'add', 'svc-automation', 'osmo-ml-team']);
  await osmo(['user', 'delete', 'svc-automation', '--force']);
  // Its tokens went with it: the pipeline's next login is refused.
  await osmo(['login', server.url, '--method', 'token', '--token-file', '~/svc-token'], 2, pipeline);
  await osmo(['logout']);
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
