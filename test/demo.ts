// `npm run demo`: the "Personal Access Tokens" page's whole workflow, run with
// the real bin/osmo against the bundled local OSMO server, in a throw-away
// config directory (secrets in a file there, never in your keychain).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOsmoServer } from './server/osmo-server.js';
import { runOsmo } from './helpers/cli.js';

const server = await startOsmoServer();
const home = mkdtempSync(join(tmpdir(), 'osmo-demo-'));
const configDir = join(home, 'config');
const expiresAt = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
const tokenFile = join(home, '.osmo-token');
let failed = false;

// The server runs in this process, so each command runs asynchronously beside it.
async function osmo(args: string[], show = args): Promise<string> {
  process.stdout.write(`\n$ osmo ${show.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const res = await runOsmo(args, configDir);
  process.stdout.write(res.stdout);
  process.stdout.write(res.stderr);
  if (res.code !== 0) failed = true;
  return res.stdout;
}

try {
  console.log(`Local OSMO server at ${server.url}; config in ${configDir}`);
  await osmo(['login', server.url, '--method', 'dev', '--username', 'user@example.com']);
  const created = await osmo(['token', 'set', 'my-token', '--expires-at', expiresAt, '--description', 'My automation token']);
  await osmo(['token', 'set', 'ci-token', '--description', 'CI/CD pipeline']);
  const pat = /Access token: (\S+)/.exec(created)?.[1];
  if (!pat) throw new Error('token set printed no token');
  writeFileSync(tokenFile, `${pat}\n`, { mode: 0o600 });
  console.log(`\n$ echo "<the token above>" > ~/.osmo-token && chmod 600 ~/.osmo-token`);
  await osmo(['login', server.url, '--method=token', `--token-file=${tokenFile}`], ['login', server.url, '--method=token', '--token-file=~/.osmo-token']);
  await osmo(['token', 'list']);
  await osmo(['token', 'roles', 'my-token']);
  await osmo(['token', 'delete', 'ci-token']);
  await osmo(['token', 'delete', 'my-token']);
  await osmo(['logout']);
  await osmo(['login', server.url, '--method', 'dev', '--username', 'user@example.com']);
  await osmo(['token', 'list']);
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
