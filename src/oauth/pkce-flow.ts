import * as oauth from 'oauth4webapi';
import type { Settings, Terminal } from '../services.js';
import { onInterrupt } from '../interrupt.js';
import { startCallbackServer } from './callback-server.js';
import { openBrowser } from './open-browser.js';
import type { OAuthProvider, Tokens } from './provider.js';

export interface PkceOptions {
  url: string;
  callbackPort?: number;
  /** What to do when the login fails here, e.g. "run `osmo login URL` again". */
  hint: string;
  /** From loginTimeoutMs() (src/login/login-env.ts), checked before any request. */
  timeoutMs: number;
  /** Why no browser can be opened here; the login then waits for one opened by hand. */
  noBrowser?: string;
  /** The method was not chosen by the user: give up at once if the browser cannot be started. */
  giveUpWithoutBrowser: boolean;
}

/** The browser could not be started and the caller said to give up (it falls back to a device code). */
export interface NoBrowser {
  noBrowser: string;
}

/**
 * Browser login: authorization code with PKCE (S256), a random state checked
 * on the callback and a random nonce checked in the ID token. The code comes
 * back to a one-shot server on 127.0.0.1, registered as http://localhost:PORT
 * as OSMO's Python client does.
 */
export async function pkceLogin(ctx: Settings & Terminal, provider: OAuthProvider, opts: PkceOptions): Promise<Tokens | NoBrowser> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const server = await startCallbackServer({ port: opts.callbackPort, state });
  let finished = false;
  let removePage: (() => void) | undefined;
  let stopRemoving: (() => void) | undefined;
  try {
    const authorizationUrl = provider.authorizationUrl({
      redirect_uri: server.redirectUri,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    ctx.notice(`Open this URL in your browser: ${authorizationUrl.href}`);
    let gaveUp = new Promise<NoBrowser>(() => {});
    if (opts.noBrowser) {
      const port = new URL(server.redirectUri).port;
      ctx.notice(`No browser was started: ${opts.noBrowser}. The sign-in ends at ${server.redirectUri}, so open the URL in a browser that can reach this machine (e.g. through \`ssh -L ${port}:localhost:${port}\`), or use --method code.`);
    } else {
      // Not the URL itself: other local users can read a browser's command line (src/oauth/sign-in-page.ts).
      const { writeSignInPage } = await import('./sign-in-page.js');
      const page = writeSignInPage(authorizationUrl.href);
      removePage = page.remove;
      stopRemoving = onInterrupt(page.remove);
      gaveUp = openBrowser(page.path, ctx.env).then((outcome) => {
        if (outcome.opened || finished) return new Promise<NoBrowser>(() => {});
        if (opts.giveUpWithoutBrowser) return { noBrowser: outcome.reason };
        ctx.warn(`${outcome.reason}; open the URL above in a browser on this machine yourself`);
        return new Promise<NoBrowser>(() => {});
      });
    }
    ctx.notice('Waiting for the browser to finish the login (Ctrl-C to stop)...');

    const first = await Promise.race([server.wait(opts.timeoutMs, `run \`osmo login ${opts.url} --method code\` to log in without a browser on this machine`, (ms, signal) => ctx.sleep(ms, signal)), gaveUp]);
    if ('noBrowser' in first) return first;
    try {
      const tokens = await provider.exchangeCode(first.params, state, server.redirectUri, verifier, nonce);
      await first.reply(true, 'osmo: you are logged in. You can close this window and return to the terminal.');
      return tokens;
    } catch (err) {
      await first.reply(false, `osmo: the login failed: ${err instanceof Error ? err.message : String(err)}\nSee the terminal for what to do next.`);
      throw err;
    }
  } finally {
    finished = true;
    server.close();
    stopRemoving?.();
    removePage?.();
  }
}
