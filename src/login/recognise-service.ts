import type { Network } from '../services.js';
import { ApiError, AuthError, InterruptedError, NetworkError, OsmoError, UsageError } from '../errors.js';
import { CHECK_URL_HINT, notAnOsmoService } from '../api/osmo-probe.js';

// A login that failed may have been sent to something that is not OSMO at all
// (a web server that answers POST with 501, a gateway's text, a URL copied
// from the browser with a path). Whatever that server answered, the user's
// mistake is the URL: one GET of OSMO's discovery endpoint tells.

const NOT_OSMO = /does not look like an OSMO service/;

/**
 * The error a failed login ends with: `err` itself when `url` answers as an
 * OSMO service (or cannot be reached at all), else `URL does not look like an
 * OSMO service`; for a URL with a path, that OSMO is addressed by its origin,
 * and the origin itself when that answers as OSMO.
 */
export async function recogniseService(ctx: Network, url: string, err: unknown): Promise<unknown> {
  if (!answeredBadly(err, url)) return err;
  const answer = await discovery(ctx, url);
  if (answer === 'osmo' || answer === 'unreachable') return err;
  const origin = new URL(url).origin;
  const notOsmo = NOT_OSMO.test(err.message) ? new UsageError(err.message, CHECK_URL_HINT) : notAnOsmoService(url, 'GET /api/auth/login', answer);
  if (origin === url) return notOsmo;
  const message = notOsmo.message;
  const suggestion = (await discovery(ctx, origin)) === 'osmo' ? `: did you mean ${origin}?` : ', e.g. https://osmo.example.com';
  return new UsageError(message, `an OSMO service is addressed by its origin, without a path${suggestion}`);
}

/** What GET /api/auth/login says about `url`: OSMO's login information, another answer (its status), or nothing at all. */
async function discovery(ctx: Network, url: string): Promise<string> {
  try {
    await (await ctx.client(url)).loginInfo();
    return 'osmo';
  } catch (err) {
    if (!(err instanceof OsmoError) || err instanceof InterruptedError) throw err;
    if (noAnswer(err)) return 'unreachable';
    if (err instanceof ApiError) return String(err.status);
    return /\b(?:HTTP |answered )(\d{3})\b/.exec(err.message)?.[1] ?? 'with something else';
  }
}

/**
 * Whether `err` is a server's answer that OSMO would not give. Not a mistake
 * found before any request (nothing is sent for those), a connection that
 * failed (a probe would tell nothing more) or an interruption.
 */
function answeredBadly(err: unknown, url: string): err is OsmoError {
  if (err instanceof ApiError) return true;
  if (err instanceof NetworkError) return !noAnswer(err);
  if (err instanceof UsageError && NOT_OSMO.test(err.message)) return true;
  // A refusal (a token, a developer login) is OSMO's own answer at an origin;
  // under a path it may be a gateway's answer for another application.
  const refused = err instanceof AuthError || (err instanceof UsageError && /does not accept developer logins/.test(err.message));
  return refused && new URL(url).origin !== url;
}

/** A connection, DNS, TLS or time-out failure: no HTTP answer to judge. */
function noAnswer(err: OsmoError): boolean {
  return err instanceof NetworkError && !/^the server's answer to /.test(err.message) && !NOT_OSMO.test(err.message);
}
