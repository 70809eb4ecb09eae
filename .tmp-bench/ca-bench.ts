import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const pexec = promisify(execFile);
import { mkdtempSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startOsmoServer } from '../test/server/osmo-server.js';
import { makeTestCa } from '../test/helpers/test-ca.js';

const ca = makeTestCa();
const server = await startOsmoServer({ tls: { key: ca.key, cert: ca.cert } });
const dir = mkdtempSync(join(tmpdir(), 'cab-'));
const cache = join(dir, 'cache'); mkdirSync(cache, { mode: 0o700 });
const env = { ...process.env, OSMO_CONFIG_DIR: join(dir, 'cfg'), OSMO_CREDENTIAL_STORE: 'file', XDG_CACHE_HOME: cache, ...(process.env.MODE === 'extra' ? { NODE_EXTRA_CA_CERTS: ca.caFile } : { OSMO_CA_FILE: ca.caFile }) };
if (process.env.MODE !== 'extra') delete (env as Record<string, string | undefined>).NODE_EXTRA_CA_CERTS;
const pat = server.issuePat('user@example.com', 'bench');
writeFileSync(join(dir, 'pat'), pat); chmodSync(join(dir, 'pat'), 0o600);
const bins = process.argv.slice(2);
const run = async (bin: string, args: string[]) => {
  const r = await pexec('/usr/bin/time', ['-f', '%U %S', process.execPath, bin, ...args], { env, encoding: 'utf8' });
  const [u, s] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return (u! + s!) * 1000;
};
for (const bin of bins) await run(bin, ['login', server.url, '--method', 'token', '--token-file', join(dir, 'pat')]);
if (process.env.DEBUGRUN) { for (let i = 0; i < 3; i++) { const r = await pexec(process.execPath, [bins[0]!, '--debug', 'token', 'list'], { env }); console.log(r.stderr.split('\n').filter((l) => l.includes('code cache')).join('\n')); } await server.close(); process.exit(0); }
if (process.env.PROF) { await pexec(process.execPath, [bins[0]!, "token", "list"], { env }); await pexec(process.execPath, [`--cpu-prof`, `--cpu-prof-dir=${process.env.PROF}`, `--cpu-prof-interval=100`, bins[0]!, "token", "list"], { env }); await server.close(); process.exit(0); }
const res: Record<string, number[]> = {};
for (let i = 0; i < 15; i++) for (const bin of bins) (res[bin] ??= []).push(await run(bin, ['token', 'list']));
for (const [bin, xs] of Object.entries(res)) { xs.sort((a, b) => a - b); console.log(bin, 'median CPU ms', xs[7], 'all', xs.join(' ')); }
await server.close();
