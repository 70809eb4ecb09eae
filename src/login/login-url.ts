import type { Settings, Storage, Terminal } from '../services.js';
import { UsageError } from '../errors.js';
import { forcedStore } from '../store/choose-store.js';
import { isInsecureRemote, storedServerUrl } from '../util/url.js';

/**
 * The server to log in to: the argument, else the last server used. Refuses
 * plain http:// to a non-loopback host unless allowed now or at an earlier login.
 */
export async function resolveLoginUrl(ctx: Settings & Storage & Terminal, rawUrl: string | undefined, allowFlag: boolean): Promise<{ url: string; allowInsecureHttp: boolean }> {
  // A mistyped OSMO_CREDENTIAL_STORE must fail before the PAT is exchanged, not after.
  forcedStore(ctx.env);
  const state = await ctx.state();
  // OSMO_URL names the server of every command; a login with no URL too.
  const named = rawUrl ?? (ctx.env.OSMO_URL?.trim() || undefined);
  const url = named !== undefined ? storedServerUrl(named, Object.keys(state.servers)) : state.current;
  if (!url) throw new UsageError('no server URL given and no earlier login to reuse', 'for example: osmo login https://osmo.example.com');
  const allowInsecureHttp = allowFlag || Boolean(state.servers[url]?.allowInsecureHttp);
  if (isInsecureRemote(url)) {
    if (!allowInsecureHttp) {
      throw new UsageError(`refusing to send credentials over plain http:// to ${new URL(url).host}`, 'use https://, or pass --allow-insecure-http if you accept that anyone on the network can read them');
    }
    ctx.warn(`credentials for ${url} travel unencrypted over http://`);
  }
  return { url, allowInsecureHttp };
}
