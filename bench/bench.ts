// `npm run bench`: start-up time, peak memory and request counts of the real
// bin/osmo, each as a ratio against `node -e 0` measured alternately in the
// same run (absolute times on shared machines are noise). No timing code
// lives in the CLI itself.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startOsmoServer, type OsmoServer } from '../test/server/osmo-server.js';
import { OSMO_BIN, baseEnv, tempDir } from '../test/helpers/cli.js';
import { startSecretService } from '../test/helpers/secret-service.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const RSS_PROBE = fileURLToPath(new URL('./rss-probe.cjs', import.meta.url));
const EXCHANGE = 'POST /api/auth/jwt/access_token';

interface Sample {
  ms: number;
  rssKiB: number;
}

function runOnce(args: string[], env: Record<string, string>, probeRss: boolean): Promise<Sample & { code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const nodeArgs = probeRss ? ['--require', RSS_PROBE, ...args] : args;
    const child = spawn(process.execPath, nodeArgs, { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let rss = '';
    let stderr = '';
    child.stdio[3]!.on('data', (d: Buffer) => (rss += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim()}`));
      resolve({ ms, rssKiB: Number(rss.trim()) || 0, code });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Row {
  name: string;
  medianMs: number;
  baselineMs: number;
  ratio: number;
  rssKiB: number;
  baselineRssKiB: number;
  rssRatio: number;
}

/** Alternates the command with `node -e 0` so both see the same machine load. */
async function measure(name: string, args: string[], env: Record<string, string>): Promise<Row> {
  const base = ['-e', '0'];
  await runOnce(base, env, false);
  await runOnce(args, env, false); // warm-up: disk cache, JIT-independent file reads
  const times: number[] = [];
  const baseTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseTimes.push((await runOnce(base, env, false)).ms);
    times.push((await runOnce(args, env, false)).ms);
  }
  const rss: number[] = [];
  const baseRss: number[] = [];
  for (let i = 0; i < 5; i++) {
    baseRss.push((await runOnce(base, env, true)).rssKiB);
    rss.push((await runOnce(args, env, true)).rssKiB);
  }
  const row = { name, medianMs: median(times), baselineMs: median(baseTimes), ratio: 0, rssKiB: median(rss), baselineRssKiB: median(baseRss), rssRatio: 0 };
  row.ratio = row.medianMs / row.baselineMs;
  row.rssRatio = row.rssKiB / row.baselineRssKiB;
  return row;
}

async function loginWarm(server: OsmoServer, env: Record<string, string>): Promise<void> {
  const pat = server.issuePat('user@example.com', `bench${Math.random().toString(36).slice(2, 8)}`);
  const file = `${tempDir('osmo-bench-')}/token`;
  writeFileSync(file, pat, { mode: 0o600 });
  await runOnce([OSMO_BIN, 'login', server.url, '--method', 'token', '--token-file', file], env, false);
}

async function main(): Promise<void> {
  const server = await startOsmoServer();
  const rows: Row[] = [];
  const counts: Record<string, number> = {};
  const stopService: Array<() => Promise<void>> = [];
  try {
    const fileEnv = baseEnv(tempDir('osmo-bench-'));
    rows.push(await measure('osmo --version', [OSMO_BIN, '--version'], fileEnv));
    rows.push(await measure('osmo --help', [OSMO_BIN, '--help'], fileEnv));
    await loginWarm(server, fileEnv);
    rows.push(await measure('osmo token list (warm, file store)', [OSMO_BIN, 'token', 'list'], fileEnv));

    server.resetCounts();
    await runOnce([OSMO_BIN, 'token', 'list'], fileEnv, false);
    counts.requestsPerWarmTokenList = server.count();

    const service = await startSecretService();
    if ('unavailable' in service) {
      console.log(`(keychain rows skipped: ${service.unavailable})`);
    } else {
      stopService.push(() => service.stop());
      const keychainEnv = baseEnv(tempDir('osmo-bench-'), { ...service.env, OSMO_CREDENTIAL_STORE: 'keychain' });
      await loginWarm(server, keychainEnv);
      rows.push(await measure('osmo token list (warm, keychain)', [OSMO_BIN, 'token', 'list'], keychainEnv));
    }

    // 16 parallel commands right after the JWT went stale: how many exchanges?
    const stampedeEnv = baseEnv(tempDir('osmo-bench-'));
    server.setJwtLifetime(31);
    await loginWarm(server, stampedeEnv);
    server.setJwtLifetime(300);
    await new Promise((r) => setTimeout(r, 1200));
    const before = server.count(EXCHANGE);
    await Promise.all(Array.from({ length: 16 }, () => runOnce([OSMO_BIN, 'token', 'list'], stampedeEnv, false)));
    counts.exchangesFor16ParallelAfterExpiry = server.count(EXCHANGE) - before;
  } finally {
    await Promise.all(stopService.map((stop) => stop()));
    await server.close();
  }

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\n${pad('command', 38)} ${pad('median', 9)} ${pad('node -e 0', 10)} ${pad('ratio', 6)} ${pad('peak RSS', 10)} ${pad('node RSS', 10)} RSS ratio`);
  for (const r of rows) {
    console.log(`${pad(r.name, 38)} ${pad(`${r.medianMs.toFixed(1)} ms`, 9)} ${pad(`${r.baselineMs.toFixed(1)} ms`, 10)} ${pad(`${r.ratio.toFixed(2)}x`, 6)} ${pad(`${(r.rssKiB / 1024).toFixed(1)} MiB`, 10)} ${pad(`${(r.baselineRssKiB / 1024).toFixed(1)} MiB`, 10)} ${r.rssRatio.toFixed(2)}x`);
  }
  console.log(`\nHTTP requests per warm token list: ${counts.requestsPerWarmTokenList} (target 1)`);
  console.log(`PAT exchanges for 16 parallel token list after expiry: ${counts.exchangesFor16ParallelAfterExpiry} (target 1)`);
  console.log(`(median of ${RUNS} runs each after a warm-up; node ${process.version}; ${new Date().toISOString()})`);

  mkdirSync(new URL('.', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify({ runs: RUNS, node: process.version, date: new Date().toISOString(), rows, counts }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(`bench could not measure: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
