/**
 * A private, throw-away Secret Service (org.freedesktop.secrets) for tests.
 *
 * Runs `dbus-run-session` with its own bus configuration (socket in a temp
 * dir, no service activation) and, inside it, `gnome-keyring-daemon
 * --foreground --unlock --components=secrets` with HOME and the XDG dirs
 * pointed at the same temp dir, so a fresh login keyring is created and
 * unlocked there and the real user's keyring is never touched.
 *
 * Give `env` to child processes (osmo, `secret-tool`, a `node -e` using
 * the keychain binding) on top of their own environment; it does not set HOME, so the
 * caller keeps control of where osmo keeps its files.
 *
 * `stop()` ends the whole process tree (dbus-run-session, dbus-daemon,
 * gnome-keyring-daemon) and removes the temp dir. If the test process dies
 * without calling it, the shell inside the session sees its stdin close and
 * tears the session down; a process 'exit' hook also kills the group.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface SecretService {
  /** Variables to add to a child's environment so it talks to this service. */
  env: Record<string, string>;
  /** Kills the whole tree and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** How long start-up took, for diagnostics. */
  startMs: number;
}

export interface SecretServiceUnavailable {
  /** Why no service could be started (missing tools, daemon failed, timeout). */
  unavailable: string;
}

export interface StartOptions {
  /** Give up (and clean up) if the service is not ready by then. Default 5000 ms. */
  timeoutMs?: number;
  /**
   * Unlock with an empty password, as a fresh desktop session may: the
   * service answers, but has no usable default collection (every store fails).
   */
  emptyPassword?: boolean;
}

/**
 * gnome-keyring-daemon --unlock with an EMPTY password does not create the
 * login keyring (the default alias stays "/" and every store fails), so a
 * fixed dummy password is fed on stdin instead. It protects nothing: the
 * keyring lives in a temp dir that is deleted by stop().
 */
const KEYRING_PASSWORD = 'osmo-test';

const REQUIRED_TOOLS = ['dbus-run-session', 'dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'] as const;

/** Runs inside the private session; $1 is the keyring password, $2 what ReadAlias must answer once ready. */
const SESSION_SCRIPT = `
set -u
printf '%s' "$1" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$OSMO_SS_DIR/gkd.out" 2>"$OSMO_SS_DIR/gkd.log" &
gkd=$!
echo "GKD_PID $gkd"
n=0
# Ready once the default collection exists (unlocked login keyring), or with
# an empty password once the service answers at all. The bus has no service
# activation, so polling never spawns a second daemon.
until dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
    org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null | grep -q "$2"; do
  if ! kill -0 "$gkd" 2>/dev/null; then echo "FAIL gnome-keyring-daemon exited during start-up"; exit 1; fi
  n=$((n + 1))
  if [ "$n" -ge 500 ]; then echo "FAIL no unlocked default collection on the bus"; kill "$gkd"; exit 1; fi
  sleep 0.01
done
echo "READY $DBUS_SESSION_BUS_ADDRESS"
# Hold the session open until the test closes our stdin (or dies).
cat >/dev/null
kill "$gkd" 2>/dev/null
wait "$gkd" 2>/dev/null
# Also covers a test process that died without calling stop().
rm -rf "$OSMO_SS_DIR"
exit 0
`;

const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of live) killGroup(pgid, 'SIGKILL');
  });
}

function findOnPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** Live (non-zombie) pids whose process group is `pgid` (Linux /proc). */
export function processesInGroup(pgid: number): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ..." – comm may contain spaces/parens.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') pids.push(Number(entry));
  }
  return pids;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (processesInGroup(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function readLog(dir: string, name: string): string {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return '';
  }
}

function busConfig(socketPath: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

export async function startSecretService(
  options: StartOptions = {},
): Promise<SecretService | SecretServiceUnavailable> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (process.platform !== 'linux') {
    return { unavailable: `a private Secret Service needs Linux (this is ${process.platform})` };
  }
  const missing = REQUIRED_TOOLS.filter((tool) => !findOnPath(tool));
  if (missing.length > 0) {
    return {
      unavailable:
        `missing ${missing.join(', ')} on PATH ` +
        '(install the Debian packages dbus, dbus-bin and gnome-keyring)',
    };
  }

  // Unix socket paths are limited to ~108 bytes, so keep the dir short.
  const base = tmpdir().length > 60 ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'osmo-ss-'));
  const home = join(dir, 'home');
  const runtime = join(dir, 'run');
  const configFile = join(dir, 'bus.conf');
  writeFileSync(configFile, busConfig(join(dir, 'bus')));
  // gnome-keyring insists on a private (0700) runtime dir.
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(runtime, { mode: 0o700 });

  const childEnv: Record<string, string> = {};
  for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ']) {
    const value = process.env[key];
    if (value !== undefined) childEnv[key] = value;
  }
  Object.assign(childEnv, {
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    OSMO_SS_DIR: dir,
    // Make sure nothing reaches a real display or a real session bus.
    NO_AT_BRIDGE: '1',
  });

  const started = Date.now();
  const child = spawn(
    'dbus-run-session',
    [`--config-file=${configFile}`, '--', 'sh', '-c', SESSION_SCRIPT, 'osmo-secret-service', options.emptyPassword ? '' : KEYRING_PASSWORD, options.emptyPassword ? 'object path' : '/collection/'],
    { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  const pgid = child.pid;
  if (pgid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    return await new Promise((resolve) => {
      child.once('error', (err) => resolve({ unavailable: `could not spawn dbus-run-session: ${err.message}` }));
      setTimeout(() => resolve({ unavailable: 'could not spawn dbus-run-session' }), 100).unref();
    });
  }
  live.add(pgid);
  installExitHook();
  child.on('error', () => {
    // Reported through the exit/timeout paths below.
  });

  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  child.stdout?.setEncoding('utf8');

  const outcome = await new Promise<{ address: string } | { failure: string }>((resolve) => {
    const timer = setTimeout(() => {
      finish({ failure: `timed out after ${timeoutMs} ms waiting for gnome-keyring-daemon` });
    }, timeoutMs);
    const onData = (chunk: string) => {
      stdout += chunk;
      for (const line of stdout.split('\n').slice(0, -1)) {
        if (line.startsWith('READY ')) finish({ address: line.slice('READY '.length).trim() });
        else if (line.startsWith('FAIL ')) finish({ failure: line.slice('FAIL '.length) });
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      finish({ failure: `dbus-run-session exited early (${signal ?? `code ${code}`})` });
    };
    let done = false;
    function finish(result: { address: string } | { failure: string }) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve(result);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Graceful: closing stdin ends `cat`, the shell kills the daemon and
      // dbus-run-session then ends the bus.
      child.stdin?.end();
      if (!(await waitForExit(child, 1500))) {
        killGroup(pgid, 'SIGTERM');
        if (!(await waitForExit(child, 1000))) {
          killGroup(pgid, 'SIGKILL');
          await waitForExit(child, 1000);
        }
      }
      // dbus-run-session does not wait for dbus-daemon; make sure every
      // member of the group (bus, keyring daemon) is really gone.
      if (!(await waitGroupGone(pgid, 1000))) {
        killGroup(pgid, 'SIGKILL');
        await waitGroupGone(pgid, 1000);
      }
      live.delete(pgid);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  if ('failure' in outcome) {
    const details = [tail(stderr), tail(readLog(dir, 'gkd.log'))].filter(Boolean).join('\n');
    await stop();
    return { unavailable: `private Secret Service did not start: ${outcome.failure}${details ? `\n${details}` : ''}` };
  }

  // Don't let a forgotten stop() keep the test process alive; the exit hook
  // and the stdin pipe closing still tear the session down.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  const startMs = Date.now() - started;
  return {
    env: {
      DBUS_SESSION_BUS_ADDRESS: outcome.address,
      XDG_RUNTIME_DIR: runtime,
    },
    startMs,
    stop,
  };
}
