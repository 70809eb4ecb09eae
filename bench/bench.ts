// `npm run bench [-- --node PATH ... --runs N --instructions --inherit-node-env]`:
// start-up time, peak memory and requests of the real bin/osmo on each Node
// version given, in a clean environment, against two floors measured in the
// same run with the same Node binary: `node -e 0`, and a minimal script that
// makes one node:http request to the same local server. Every command and
// floor is run in turn within each round, so all see the same machine load;
// absolute times on a shared machine are noise, the ratios are the result.
// No timing code lives in the CLI itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startOsmoServer, type OsmoServer } from '../test/server/osmo-server.js';
import { OSMO_BIN, tempDir } from '../test/helpers/cli.js';
import { startSecretService, type SecretService } from '../test/helpers/secret-service.js';
import { cleanEnv, countInstructions, runOnce, stats, type Invocation, type Stats } from './measure.js';
import { printReport, type NodeReport, type Row } from './report.js';

const HTTP_FLOOR = fileURLToPath(new URL('./http-floor.cjs', import.meta.url));
const EXCHANGE = 'POST /api/auth/jwt/access_token';
const USER = 'user@example.com';

interface Options {
  nodes: string[];
  runs: number;
  rssRuns: number;
  instructions: boolean;
  inheritNodeEnv: boolean;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { nodes: [], runs: Number(process.env.BENCH_RUNS ?? 15), rssRuns: 5, instructions: false, inheritNodeEnv: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--node') opts.nodes.push(argv[++i] ?? '');
    else if (arg === '--runs') opts.runs = Number(argv[++i]);
    else if (arg === '--instructions') opts.instructions = true;
    else if (arg === '--inherit-node-env') opts.inheritNodeEnv = true;
    else throw new Error(`unknown argument ${arg}; use --node PATH (repeatable), --runs N, --instructions, --inherit-node-env`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 3) throw new Error('--runs must be an integer of at least 3');
  // The node on PATH first, then each --node.
  opts.nodes.unshift(execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim());
  return opts;
}

/** One line of the table: what to run, against which floor, and which server counts its requests. */
interface Variant {
  name: string;
  inv: Invocation;
  floor?: 'node -e 0' | 'http floor';
  target?: number;
  server?: OsmoServer;
}

interface Servers {
  main: OsmoServer;
  /** Issues JWTs that are already inside the renewal margin: every command exchanges first. */
  expiring: OsmoServer;
  keychain: SecretService | { unavailable: string };
}

async function login(node: string, server: OsmoServer, env: Record<string, string>): Promise<string> {
  const pat = server.issuePat(USER, `bench${Math.random().toString(36).slice(2, 8)}`);
  const file = `${tempDir('osmo-bench-')}/token`;
  writeFileSync(file, pat, { mode: 0o600 });
  await runOnce({ node, args: [OSMO_BIN, 'login', server.url, '--method', 'token', '--token-file', file], env });
  return file;
}

async function variantsFor(node: string, servers: Servers, opts: Options, notes: string[]): Promise<Variant[]> {
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({ ...cleanEnv(tempDir('osmo-bench-home-'), opts.inheritNodeEnv), ...extra });
  const osmo = (e: Record<string, string>, ...args: string[]): Invocation => ({ node, args: [OSMO_BIN, ...args], env: e });
  const { main, expiring } = servers;

  const plain = env();
  const fileStore = env({ OSMO_CREDENTIAL_STORE: 'file' });
  await login(node, main, fileStore);
  const jwt = await exchange(main, main.issuePat(USER, `benchfloor${Math.random().toString(36).slice(2, 8)}`));
  const variants: Variant[] = [
    { name: 'node -e 0', inv: { node, args: ['-e', '0'], env: plain } },
    { name: 'one node:http request (floor)', inv: { node, args: [HTTP_FLOOR, `${main.url}/api/auth/access_token`], env: { ...plain, BENCH_AUTHORIZATION: `Bearer ${jwt}` } }, server: main },
    { name: 'osmo --version', inv: osmo(plain, '--version'), floor: 'node -e 0', target: 1.1 },
    { name: 'osmo --help', inv: osmo(plain, '--help'), floor: 'node -e 0', target: 1.25 },
    { name: 'osmo token list, warm, file store', inv: osmo(fileStore, 'token', 'list'), floor: 'http floor', target: 1.3, server: main },
  ];

  if ('unavailable' in servers.keychain) {
    notes.push(`keychain row skipped: ${servers.keychain.unavailable}`);
  } else {
    const keychain = env({ ...servers.keychain.env, OSMO_CREDENTIAL_STORE: 'keychain' });
    try {
      await login(node, main, keychain);
      variants.push({ name: 'osmo token list, warm, keychain', inv: osmo(keychain, 'token', 'list'), floor: 'http floor', target: 1.3, server: main });
    } catch (err) {
      notes.push(`keychain row skipped: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  const expired = env({ OSMO_CREDENTIAL_STORE: 'file' });
  await login(node, expiring, expired);
  variants.push({ name: 'osmo token list, JWT expired', inv: osmo(expired, 'token', 'list'), floor: 'http floor', server: expiring });

  const loginEnv = env({ OSMO_CREDENTIAL_STORE: 'file' });
  const tokenFile = await login(node, main, loginEnv);
  variants.push({ name: 'osmo login --method token', inv: osmo(loginEnv, 'login', main.url, '--method', 'token', '--token-file', tokenFile), floor: 'http floor', server: main });
  return variants;
}

async function exchange(server: OsmoServer, pat: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/jwt/access_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: pat }) });
  return ((await res.json()) as { token: string }).token;
}

async function benchNode(node: string, servers: Servers, opts: Options): Promise<NodeReport> {
  const version = execFileSync(node, ['--version'], { encoding: 'utf8', env: cleanEnv(tempDir('osmo-bench-home-'), false) }).trim();
  console.error(`measuring ${node} (${version}) ...`);
  const notes: string[] = [];
  const variants = await variantsFor(node, servers, opts, notes);

  // A warm-up round (disk cache, osmo's compile cache), then rounds in a rotating order.
  for (const v of variants) await runOnce(v.inv);
  const times = variants.map((): number[] => []);
  const rss = variants.map((): number[] => []);
  for (let round = 0; round < opts.runs + opts.rssRuns; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const probeRss = round >= opts.runs;
      const sample = await runOnce(variants[i]!.inv, { probeRss });
      (probeRss ? rss : times)[i]!.push(probeRss ? sample.rssKiB : sample.ms);
    }
  }

  const requests: Array<{ total: number; exchanges: number } | undefined> = [];
  for (const v of variants) {
    if (!v.server) {
      requests.push(undefined);
      continue;
    }
    v.server.resetCounts();
    await runOnce(v.inv);
    requests.push({ total: v.server.count(), exchanges: v.server.count(EXCHANGE) });
  }

  const instructions: Array<number | undefined> = [];
  if (opts.instructions) {
    for (const v of variants) instructions.push(await countInstructions(v.inv).catch(() => undefined));
    if (instructions.every((n) => n === undefined)) notes.push('instruction counts unavailable: is valgrind installed?');
  }

  const timeStats = times.map(stats);
  // variantsFor() puts the two floors first.
  const floorOf = (floor: Variant['floor']): Stats => timeStats[floor === 'node -e 0' ? 0 : 1]!;
  const nodeRss = stats(rss[0]!).median;
  const rows: Row[] = variants.map((v, i) => ({
    name: v.name,
    time: timeStats[i]!,
    floor: v.floor,
    ratio: v.floor ? timeStats[i]!.median / floorOf(v.floor).median : undefined,
    target: v.target,
    rssKiB: stats(rss[i]!).median,
    rssRatio: stats(rss[i]!).median / nodeRss,
    rssTarget: v.name.startsWith('osmo') ? 1.4 : undefined,
    requests: requests[i],
    instructions: instructions[i],
  }));
  return { node, version, runs: opts.runs, rssRuns: opts.rssRuns, rows, notes, exchangesFor16Parallel: await stampede(node, servers, opts) };
}

/** 16 parallel `token list` right after the JWT went stale: how many exchanges? */
async function stampede(node: string, servers: Servers, opts: Options): Promise<number> {
  const env = { ...cleanEnv(tempDir('osmo-bench-home-'), opts.inheritNodeEnv), OSMO_CREDENTIAL_STORE: 'file' };
  servers.main.setJwtLifetime(31);
  await login(node, servers.main, env);
  servers.main.setJwtLifetime(3600);
  await new Promise((r) => setTimeout(r, 1200));
  const before = servers.main.count(EXCHANGE);
  await Promise.all(Array.from({ length: 16 }, () => runOnce({ node, args: [OSMO_BIN, 'token', 'list'], env })));
  return servers.main.count(EXCHANGE) - before;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  // JWTs from the main server outlive the whole run, so "warm" stays warm.
  const servers: Servers = {
    main: await startOsmoServer({ jwtLifetimeSeconds: 3600 }),
    expiring: await startOsmoServer({ jwtLifetimeSeconds: 20 }),
    keychain: await startSecretService(),
  };
  const reports: NodeReport[] = [];
  try {
    for (const node of opts.nodes) reports.push(await benchNode(node, servers, opts));
  } finally {
    if (!('unavailable' in servers.keychain)) await servers.keychain.stop();
    await Promise.all([servers.main.close(), servers.expiring.close()]);
  }
  printReport(reports, { inheritNodeEnv: opts.inheritNodeEnv });
  mkdirSync(new URL('.', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), inheritNodeEnv: opts.inheritNodeEnv, reports }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(`bench could not measure: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
