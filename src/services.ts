import type { Authenticator, OsmoClient } from './api/client.js';
import type { State } from './config/state.js';
import type { Transport } from './http/transport.js';
import type { IO } from './io.js';
import type { Lock } from './session/lock-type.js';

/**
 * What the modules below the commands need from the outside world. Context
 * (src/context.ts) is the real implementation; tests can hand these modules
 * anything with the same shape. Kept here, below everything that uses it, so
 * that every import points down and none leads back to the wiring.
 */
export interface Services {
  readonly io: IO;
  /** The environment osmo reads its settings from: its own copy, which nothing changes while a command runs. */
  readonly env: NodeJS.ProcessEnv;
  readonly configDir: string;
  readonly debug: boolean;
  /** The time in ms since the epoch when a test injects a clock (test/helpers/in-process.ts); else Date.now(). */
  readonly now?: () => number;
  /**
   * Waits `ms` on the same clock as `now`: real time, unless a test injects a
   * clock whose time it moves (test/helpers/in-process.ts). Rejects with an
   * AbortError as soon as `signal` aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A `Warning: …` line on stderr. `fact` names what it is about (e.g. one
   * PAT's expiry): a second warning about the same fact in one command is dropped.
   */
  warn(message: string, fact?: string): void;
  /** A plain line on stderr (progress, notes). */
  notice(message: string): void;
  transport(): Promise<Transport>;
  /** `warn` takes the service's `x-osmo-warning`s instead of warn() above. */
  client(url: string, auth?: Authenticator, warn?: (message: string, fact?: string) => void): Promise<OsmoClient>;
  state(): Promise<State>;
  /** The cross-process lock of the config directory; with `server`, the lock of that server's renewal only. */
  lock(server?: string): Promise<Lock>;
}
