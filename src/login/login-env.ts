import { UsageError } from '../errors.js';

// What the environment says about a login, read before any request. Kept
// apart from pkce-flow.ts and open-browser.ts, which load node:http and
// node:child_process: in the one-file bundle a static import runs when the
// importer loads, so every OAuth login would pay for them.

const DEFAULT_TIMEOUT_SECONDS = 300;
/** setTimeout fires at once beyond 2^31-1 ms; nobody waits that long for a browser anyway. */
const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** OSMO_LOGIN_TIMEOUT (seconds) bounds the wait for the browser; 5 minutes by default. */
export function loginTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env.OSMO_LOGIN_TIMEOUT?.trim();
  if (!raw) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(`OSMO_LOGIN_TIMEOUT must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (about 24 days), not "${raw}"`);
  }
  return seconds * 1000;
}

/**
 * Why no browser can be opened on this machine, or undefined when one may
 * be. BROWSER always counts as a way; an SSH session never does (a browser
 * started there could not reach this machine's callback, or shows nowhere);
 * on Linux and the BSDs a browser needs a graphical display.
 */
export function browserUnavailable(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.BROWSER?.trim()) return undefined;
  if (env.SSH_CONNECTION || env.SSH_CLIENT) return 'this is an SSH session';
  // WSL opens the Windows browser without a Linux display.
  const unixDesktop = platform === 'linux' || platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd';
  if (unixDesktop && !env.DISPLAY && !env.WAYLAND_DISPLAY && !env.WSL_DISTRO_NAME) return 'there is no graphical display (DISPLAY and WAYLAND_DISPLAY are not set)';
  return undefined;
}
