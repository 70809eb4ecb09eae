import type { LoginInfo } from '../api/schemas.js';
import type { Network } from '../services.js';
import { UsageError } from '../errors.js';
import { isLoopbackHost } from '../util/url.js';

export type OAuthMethod = 'pkce' | 'code' | 'password';

/** Where one OAuth login talks to and as which client. */
export interface OAuthEndpoints {
  tokenEndpoint: string;
  clientId: string;
  /** RFC 8628 device authorization endpoint (`--method code`). */
  deviceEndpoint?: string;
  /** Authorization endpoint the browser opens (`--method pkce`). */
  browserEndpoint?: string;
}

export interface EndpointFlags {
  deviceEndpoint?: string;
  browserEndpoint?: string;
  clientId?: string;
}

/**
 * An OAuth endpoint carries codes, passwords and tokens, so it must be
 * https://. Plain http:// is accepted only to this machine, for local testing.
 */
export function checkOAuthEndpoint(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`the ${what} "${raw}" is not a valid URL`, 'give a full https:// URL');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url.href;
  if (url.protocol === 'http:') {
    throw new UsageError(
      `refusing the ${what} ${url.origin}${url.pathname}: OAuth endpoints must use https://`,
      'plain http:// is accepted only for 127.0.0.1, ::1 or localhost (local testing); nothing was sent or stored',
    );
  }
  throw new UsageError(`the ${what} must be an https:// URL, not ${url.protocol.slice(0, -1)}:`);
}

/** --device-endpoint, --browser-endpoint and --client-id, checked before any request so a bad flag costs nothing. */
export interface EndpointOverrides {
  device?: string;
  browser?: string;
  clientId?: string;
}

export function endpointOverrides(flags: EndpointFlags): EndpointOverrides {
  return {
    device: flags.deviceEndpoint === undefined ? undefined : checkOAuthEndpoint(flags.deviceEndpoint, '--device-endpoint'),
    browser: flags.browserEndpoint === undefined ? undefined : checkOAuthEndpoint(flags.browserEndpoint, '--browser-endpoint'),
    clientId: flags.clientId?.trim() || undefined,
  };
}

/** The service's `GET /api/auth/login` answer: where its identity provider is, and as which clients to use it. */
export async function loadLoginInfo(ctx: Network, url: string): Promise<LoginInfo> {
  return (await ctx.client(url)).loginInfo();
}

/**
 * Whether a device-code login can be made here: the fallback where no browser
 * can be opened. Asks endpointsFor() itself, URL checks included, so the
 * fallback is never offered and then refused.
 */
export function offersDeviceLogin(info: LoginInfo, url: string, overrides: EndpointOverrides): boolean {
  try {
    endpointsFor(info, url, 'code', overrides);
    return true;
  } catch {
    return false;
  }
}

/** The provider's endpoints and client id for one method: the service's answer, with the overrides winning. */
export function endpointsFor(info: LoginInfo, url: string, method: OAuthMethod, overrides: EndpointOverrides): OAuthEndpoints {
  const missing = (what: string, flag?: string): UsageError =>
    new UsageError(`${url} does not offer ${what} for OAuth login`, flag ? `pass ${flag}, or log in with --method token` : 'log in with --method token, or ask the service administrator to configure OAuth');

  if (!info.token_endpoint) throw missing('a token endpoint');
  const tokenEndpoint = checkOAuthEndpoint(info.token_endpoint, 'token endpoint named by the service');
  switch (method) {
    case 'pkce': {
      const raw = overrides.browser ?? (info.browser_endpoint || undefined);
      if (!raw) throw missing('a browser authorization endpoint', '--browser-endpoint');
      const clientId = overrides.clientId ?? (info.browser_client_id || undefined);
      if (!clientId) throw missing('a browser client id', '--client-id');
      return { tokenEndpoint, clientId, browserEndpoint: checkOAuthEndpoint(raw, 'browser endpoint') };
    }
    case 'code': {
      const raw = overrides.device ?? (info.device_endpoint || undefined);
      if (!raw) throw missing('a device authorization endpoint', '--device-endpoint');
      const clientId = overrides.clientId ?? (info.device_client_id || undefined);
      if (!clientId) throw missing('a device client id', '--client-id');
      return { tokenEndpoint, clientId, deviceEndpoint: checkOAuthEndpoint(raw, 'device endpoint') };
    }
    case 'password': {
      // The Python client signs service accounts in as the device (public) client.
      const clientId = overrides.clientId ?? (info.device_client_id || info.browser_client_id || undefined);
      if (!clientId) throw missing('a client id', '--client-id');
      return { tokenEndpoint, clientId };
    }
  }
}
