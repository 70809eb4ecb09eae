import { setTimeout as sleep } from 'node:timers/promises';
import type { OsmoClient, Authenticator } from './api/client.js';
import type { Transport } from './http/transport.js';
import type { State } from './config/state.js';
import type { Lock } from './config/lock.js';
import type { CredentialStore } from './store/credential-store.js';
import type { FileStore } from './store/file-store.js';
import type { Target } from './session/targets.js';
import type { Services } from './services.js';
import { configDir } from './config/paths.js';
import { debugFromEnv } from './debug-env.js';
import { UsageError } from './errors.js';
import { println, type IO } from './io.js';
import { terminalSafe } from './util/display-text.js';

declare const __OSMO_VERSION__: string;
export const VERSION = typeof __OSMO_VERSION__ === 'string' ? __OSMO_VERSION__ : '0.0.0-dev';

export type { Target } from './session/targets.js';

/** What a test may put in place of the real thing (test/helpers/in-process.ts). */
export interface Injected {
  /** The time in ms since the epoch; else Date.now(). */
  now?: () => number;
  /** Waits on the same clock as `now`; else real time. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The keychain, instead of the OS's (an in-memory one: test/helpers/memory-keychain.ts). */
  keychain?: CredentialStore & { kind: 'keychain' };
}

/**
 * The one place that wires real dependencies. Everything heavy (undici, zod,
 * the keychain binding, the lock) is imported on first use so `--help` and `--version`
 * never pay for it.
 */
export class Context implements Services {
  /**
   * A copy: process.env is not osmo's alone. Starting the system's browser
   * opener narrows it (src/oauth/open-browser.ts) for as long as that takes,
   * and osmo's own settings must not vanish meanwhile.
   */
  readonly env: NodeJS.ProcessEnv;
  readonly configDir: string;
  readonly debug: boolean;
  readonly now: (() => number) | undefined;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly injectedKeychain: (CredentialStore & { kind: 'keychain' }) | undefined;
  private transportPromise: Promise<Transport> | undefined;
  private readonly warnedFacts = new Set<string>();

  constructor(
    readonly io: IO,
    env: NodeJS.ProcessEnv,
    opts: Injected & { debug?: boolean } = {},
  ) {
    this.env = { ...env };
    this.configDir = configDir(this.env);
    this.debug = Boolean(opts.debug) || debugFromEnv(this.env);
    this.now = opts.now;
    this.sleep = opts.sleep ?? realSleep;
    this.injectedKeychain = opts.keychain;
  }

  // Warnings and notes may carry server text (a token name, a device code, a URL).
  warn(message: string, fact?: string): void {
    if (fact !== undefined) {
      if (this.warnedFacts.has(fact)) return;
      this.warnedFacts.add(fact);
    }
    println(this.io.stderr, `Warning: ${terminalSafe(message)}`);
  }

  notice(message: string): void {
    println(this.io.stderr, terminalSafe(message));
  }

  transport(): Promise<Transport> {
    this.transportPromise ??= import('./http/transport.js').then(
      ({ Transport }) =>
        new Transport({
          userAgent: `osmo-cli/${VERSION} (node ${process.versions.node}; ${process.platform})`,
          timeoutMs: httpTimeoutMs(this.env),
          maxRetries: 3,
          caFile: this.env.OSMO_CA_FILE || undefined,
          env: this.env,
          debug: this.debug ? (line) => println(this.io.stderr, `[debug] ${line}`) : undefined,
          sleep: (ms) => this.sleep(ms),
        }),
    );
    return this.transportPromise;
  }

  /** Releases network resources once the command has finished. */
  async close(): Promise<void> {
    const transport = await this.transportPromise?.catch(() => undefined);
    await transport?.close();
  }

  async client(url: string, auth?: Authenticator, warn?: (message: string, fact?: string) => void): Promise<OsmoClient> {
    const [{ OsmoClient }, transport] = await Promise.all([import('./api/client.js'), this.transport()]);
    return new OsmoClient(transport, url, auth, warn ?? ((message, fact) => this.warn(message, fact)));
  }

  async state(): Promise<State> {
    const { readState } = await import('./config/state.js');
    return readState(this.configDir);
  }

  async saveState(state: State): Promise<void> {
    const { writeState } = await import('./config/state.js');
    writeState(this.configDir, state);
  }

  async fileStore(): Promise<FileStore> {
    const { FileStore } = await import('./store/file-store.js');
    return new FileStore(this.configDir);
  }

  /** Opened anew each time, as each command opened it: whether it answers is checked at every opening. */
  async keychain(): Promise<CredentialStore & { kind: 'keychain' }> {
    if (this.injectedKeychain) return this.injectedKeychain;
    const { KeychainStore } = await import('./store/keychain-store.js');
    return KeychainStore.open(this.env);
  }

  async lock(server?: string): Promise<Lock> {
    const { configDirLock, serverLock } = await import('./config/lock.js');
    return server === undefined ? configDirLock(this.configDir, httpTimeoutMs(this.env)) : serverLock(this.configDir, server, httpTimeoutMs(this.env));
  }

  /** The current login (or OSMO_URL + OSMO_TOKEN), ready for API calls. */
  async target(): Promise<Target> {
    // Start loading the HTTP stack while the session modules load.
    void this.transport().catch(() => {});
    const { openTarget } = await import('./session/targets.js');
    return openTarget(this);
  }
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal });
}

/** A timer fires at once beyond 2^31-1 ms (Node clamps it to 1 ms), so every request would fail. */
const MAX_HTTP_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function httpTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env.OSMO_HTTP_TIMEOUT;
  if (raw === undefined || raw === '') return 60_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0.001 || seconds > MAX_HTTP_TIMEOUT_SECONDS) {
    throw new UsageError(`OSMO_HTTP_TIMEOUT must be a number of seconds from 0.001 to ${MAX_HTTP_TIMEOUT_SECONDS} (about 24 days), not "${raw}"`);
  }
  return Math.round(seconds * 1000);
}
