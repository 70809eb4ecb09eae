import type { Authenticator, OsmoClient } from './api/client.js';
import type { Lock } from './config/lock-type.js';
import type { State } from './config/state.js';
import type { Transport } from './http/transport.js';
import type { IO } from './io.js';
import type { StoreOpener } from './store/choose-store.js';

// What the modules below the commands need from the outside world, as the
// roles the wiring plays. Context (src/context.ts) plays them all; a module
// asks only for the roles it uses (`ctx: Network & Terminal`), so a test
// hands it just those. Kept here, below everything that uses it, so that
// every import points down and none leads back to the wiring.

/** Talking to the person at the terminal: the IO for prompts and spinners, and lines on stderr. */
export interface Terminal {
  readonly io: IO;
  /**
   * A `Warning: …` line on stderr. `fact` names what it is about (e.g. one
   * PAT's expiry): a second warning about the same fact in one command is dropped.
   */
  warn(message: string, fact?: string): void;
  /** A plain line on stderr (progress, notes). */
  notice(message: string): void;
}

/** osmo's settings and its sense of time. */
export interface Settings {
  /** The environment osmo reads its settings from: its own copy, which nothing changes while a command runs. */
  readonly env: NodeJS.ProcessEnv;
  /** The time in ms since the epoch when a test injects a clock (test/helpers/in-process.ts); else Date.now(). */
  readonly now?: () => number;
  /**
   * Waits `ms` on the same clock as `now`: real time, unless a test injects a
   * clock whose time it moves (test/helpers/in-process.ts). Rejects with an
   * AbortError as soon as `signal` aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The network: the one Transport, and OSMO API clients over it. */
export interface Network {
  transport(): Promise<Transport>;
  /** `warn` takes the service's `x-osmo-warning`s instead of Terminal's warn(). */
  client(url: string, auth?: Authenticator, warn?: (message: string, fact?: string) => void): Promise<OsmoClient>;
}

/**
 * Where logins are kept: the config directory's state.json and its lock, and
 * the stores that hold their secrets (the keychain, credentials.json), which
 * only the wiring opens, so a test can hand in an in-memory keychain.
 */
export interface Storage extends StoreOpener {
  readonly configDir: string;
  state(): Promise<State>;
  saveState(state: State): Promise<void>;
  /** The cross-process lock of the config directory; with `server`, the lock of that server's renewal only. */
  lock(server?: string): Promise<Lock>;
}

/** Every role: for the modules that pass the context on to several others (the login). */
export interface Services extends Terminal, Settings, Network, Storage {}
