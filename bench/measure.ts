// How one benchmarked process is run and measured: wall time from spawn to
// exit, peak RSS (reported by rss-probe.cjs on fd 3), and optionally the
// instructions valgrind's callgrind counts (a measure that machine load does
// not move, for comparing start-up variants).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RSS_PROBE = fileURLToPath(new URL('./rss-probe.cjs', import.meta.url));

export interface Invocation {
  /** The node binary. */
  node: string;
  /** Arguments after it (a script and its arguments, or -e 0). */
  args: string[];
  env: Record<string, string>;
}

export interface Sample {
  ms: number;
  rssKiB: number;
}

export function runOnce(inv: Invocation, opts: { probeRss?: boolean; wrapper?: string[] } = {}): Promise<Sample & { stderr: string }> {
  const nodeArgs = opts.probeRss ? ['--require', RSS_PROBE, ...inv.args] : inv.args;
  const [file, ...args] = opts.wrapper ? [...opts.wrapper, inv.node, ...nodeArgs] : [inv.node, ...nodeArgs];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file!, args, { env: inv.env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let rss = '';
    let stderr = '';
    child.stdio[3]!.on('data', (d: Buffer) => (rss += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${[inv.node, ...inv.args].join(' ')} ended with ${signal ?? `exit code ${code}`}: ${stderr.trim()}`));
      resolve({ ms, rssKiB: Number(rss.trim()) || 0, stderr });
    });
  });
}

/** Instructions executed by the whole process (every thread), or undefined without valgrind. */
export async function countInstructions(inv: Invocation): Promise<number | undefined> {
  const wrapper = ['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null'];
  const { stderr } = await runOnce(inv, { wrapper });
  const m = /Collected\s*:\s*(\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

export interface Stats {
  median: number;
  /** Lower and upper quartile: the spread, robust to the odd slow run on a shared machine. */
  q1: number;
  q3: number;
  n: number;
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number): number => {
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    return s[lo]! + (s[Math.ceil(i)]! - s[lo]!) * (i - lo);
  };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), n: s.length };
}

/**
 * What a user's shell gives a command, not what a build machine adds: no
 * NODE_* (NODE_EXTRA_CA_CERTS alone adds tens of milliseconds to every Node
 * start, the baseline's included), no NODE_OPTIONS, no OSMO_*, proxies or
 * D-Bus session. HOME and the XDG directories point into the bench's own
 * temporary directory, so osmo's compile cache and config are its own.
 */
export function cleanEnv(home: string, inheritNodeEnv: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (CLEAN_KEYS.includes(key) || (inheritNodeEnv && key.startsWith('NODE_'))) env[key] = value;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: `${home}/.config`, XDG_CACHE_HOME: `${home}/.cache`, NO_COLOR: '1' };
}

const CLEAN_KEYS = ['PATH', 'LANG', 'LC_ALL', 'TERM', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR'];
