import type { Services } from '../services.js';
import { AuthError } from '../errors.js';
import { OAuthRefused } from './oauth-errors.js';
import type { OAuthProvider, Tokens } from './provider.js';
import { startSpinner } from './spinner.js';

/** RFC 8628: 5 s when the provider names no interval, 5 s more after each slow_down. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_STEP_S = 5;
/** Whatever the provider asks, poll no more than once a second and no less than once a minute. */
const MIN_INTERVAL_S = 1;
const MAX_INTERVAL_S = 60;

/** The provider's interval, kept within 1-60 s: a tiny (or broken) one must not turn polling into a flood. */
export function pollInterval(requested: unknown): number {
  const seconds = typeof requested === 'number' && Number.isFinite(requested) ? requested : DEFAULT_INTERVAL_S;
  return Math.min(MAX_INTERVAL_S, Math.max(MIN_INTERVAL_S, seconds));
}

/**
 * Device authorization: show the code, then poll the token endpoint until
 * someone approves it in a browser, on this or any other device. Nothing is
 * stored before the tokens arrive, so Ctrl-C (exit 130) leaves no trace.
 */
export async function deviceLogin(ctx: Services, provider: OAuthProvider, hint: string): Promise<Tokens> {
  const device = await provider.startDevice();
  ctx.notice(`To log in, open ${device.verification_uri} in a browser and enter the code ${device.user_code}`);
  if (device.verification_uri_complete) ctx.notice(`(or open ${device.verification_uri_complete} and confirm the code)`);

  let intervalS = pollInterval(device.interval);
  // On the context's clock, as the waits below are: a test moves both.
  const now = ctx.now ?? Date.now;
  const deadline = now() + device.expires_in * 1000;
  const expired = new AuthError(`the code ${device.user_code} expired before it was approved`, `${hint}, and approve the code within ${Math.round(device.expires_in / 60)} minutes`);
  const spinner = startSpinner(ctx.io, 'Waiting for approval (Ctrl-C to stop)...');
  if (!ctx.io.stderrIsTTY) ctx.notice('Waiting for approval (Ctrl-C to stop)...');
  try {
    for (;;) {
      await ctx.sleep(intervalS * 1000);
      if (now() >= deadline) throw expired;
      try {
        return await provider.pollDevice(device.device_code);
      } catch (err) {
        if (!(err instanceof OAuthRefused)) throw err;
        switch (err.error) {
          case 'authorization_pending':
            continue;
          case 'slow_down':
            intervalS = pollInterval(intervalS + SLOW_DOWN_STEP_S);
            continue;
          case 'expired_token':
            throw expired;
          case 'access_denied':
            throw new AuthError(`the login with code ${device.user_code} was denied`, `${hint} if that was a mistake`);
          default:
            throw err;
        }
      }
    }
  } finally {
    spinner.stop();
  }
}
