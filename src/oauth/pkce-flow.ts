import * as oauth from 'oauth4webapi';
import type { Services } from '../services.js';
import { AuthError, UsageError } from '../errors.js';
import { startCallbackServer } from './callback-server.js';
import { openBrowser } from './open-browser.js';
import type { OAuthProvider, Tokens } from './provider.js';

const DEFAULT_TIMEOUT_SECONDS = 300;

export interface PkceOptions {
  url: string;
  callbackPort?: number;
  /** What to do when the login fails here, e.g. "run `osmo login URL` again". */
  hint: string;
}

/**
 * Browser login: authorization code with PKCE (S256), a random state checked
 * on the callback and a random nonce checked in the ID token. The code comes
 * back to a one-shot server on 127.0.0.1.
 */
export async function pkceLogin(ctx: Services, provider: OAuthProvider, opts: PkceOptions): Promise<Tokens> {
  const timeoutMs = loginTimeoutSeconds(ctx.env) * 1000;
  const server = await startCallbackServer(opts.callbackPort);
  try {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const authorizationUrl = provider.authorizationUrl({
      redirect_uri: server.redirectUri,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    ctx.notice(`Open this URL in your browser: ${authorizationUrl.href}`);
    await openBrowser(authorizationUrl.href, ctx.env, (m) => ctx.warn(m));
    ctx.notice('Waiting for the browser to finish the login (Ctrl-C to stop)...');

    const callback = await server.wait(timeoutMs, `run \`osmo login ${opts.url} --method code\` to log in without a browser on this machine`);
    try {
      // Checked before anything else: an answer for another login attempt must not be used at all.
      if (callback.params.get('state') !== state) {
        throw new AuthError('state mismatch in the browser callback: the answer does not belong to this login attempt', opts.hint);
      }
      const tokens = await provider.exchangeCode(callback.params, state, server.redirectUri, verifier, nonce);
      callback.reply(true, 'osmo: you are logged in. You can close this window and return to the terminal.');
      return tokens;
    } catch (err) {
      callback.reply(false, `osmo: the login failed: ${err instanceof Error ? err.message : String(err)}\nSee the terminal for what to do next.`);
      throw err;
    }
  } finally {
    server.close();
  }
}

/** OSMO_LOGIN_TIMEOUT (seconds) bounds the wait for the browser; 5 minutes by default. */
function loginTimeoutSeconds(env: NodeJS.ProcessEnv): number {
  const raw = env.OSMO_LOGIN_TIMEOUT?.trim();
  if (!raw) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`OSMO_LOGIN_TIMEOUT must be a positive number of seconds, not "${raw}"`);
  return seconds;
}
