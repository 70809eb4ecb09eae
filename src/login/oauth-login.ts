import type { LoginInfo } from '../api/schemas.js';
import type { Services, Terminal } from '../services.js';
import type { LoginFlags } from './login-flags.js';
import { AuthError, UsageError } from '../errors.js';
import { endpointOverrides, endpointsFor, loadLoginInfo, offersDeviceLogin, type EndpointOverrides, type OAuthEndpoints, type OAuthMethod } from '../oauth/endpoints.js';
import { browserUnavailable, loginTimeoutMs } from './login-env.js';
import { OAuthRefused } from '../oauth/oauth-errors.js';
import { readPasswordInput, type PasswordInput } from './read-password.js';
import { OAuthProvider, type Tokens } from '../oauth/provider.js';
import { displayName, readClaims } from '../session/jwt-claims.js';
import { chooseStore, saveLogin } from '../session/save-login.js';
import type { LoginResult } from './token-login.js';

/** The provider of one method, and the endpoints it was made with. */
interface OAuthClient {
  endpoints: OAuthEndpoints;
  provider: OAuthProvider;
}

export interface OAuthLoginOptions {
  method: OAuthMethod;
  /** No method was chosen: where no browser can be opened, log in with a device code instead. */
  deviceFallback: boolean;
  allowInsecureHttp: boolean;
  /** Says `Logging in to URL`: after the checks, before a prompt or the first request. */
  announce: () => void;
}

/**
 * `osmo login --method pkce|code|password`: get tokens from the service's
 * identity provider, then keep the refresh token and the ID token (the
 * service takes it as its Bearer JWT). Nothing is stored until the provider
 * has answered with tokens, so every failure and Ctrl-C leave no trace.
 */
export async function oauthLogin(ctx: Services, url: string, flags: LoginFlags, opts: OAuthLoginOptions): Promise<LoginResult> {
  let method = opts.method;
  // Everything that can be checked here is, before any prompt or request.
  const timeoutMs = method === 'pkce' ? loginTimeoutMs(ctx.env) : 0;
  const overrides = endpointOverrides(flags);
  // A forced keychain that cannot be reached fails before a password is asked for or sent.
  const choice = await chooseStore(ctx);
  let credentials: PasswordInput | undefined;
  if (method === 'password') {
    credentials = await readPasswordInput(flags, ctx.io, opts.announce);
    if (credentials.warning) ctx.warn(credentials.warning);
  }
  opts.announce();
  const info = await loadLoginInfo(ctx, url);

  const noBrowser = method === 'pkce' ? browserUnavailable(ctx.env) : undefined;
  if (noBrowser && opts.deviceFallback) method = fallBackToDevice(ctx, url, info, overrides, noBrowser);
  const transport = await ctx.transport();
  // One method's endpoints serve both its requests and what is stored for renewals.
  const clientFor = (m: OAuthMethod): OAuthClient => {
    const endpoints = endpointsFor(info, url, m, overrides);
    return { endpoints, provider: new OAuthProvider(endpoints, transport, again(url, m)) };
  };

  let client = clientFor(method);
  let tokens: Tokens;
  if (method === 'pkce') {
    const { pkceLogin } = await import('../oauth/pkce-flow.js');
    const result = await pkceLogin(ctx, client.provider, { url, callbackPort: flags.callbackPort, hint: again(url, 'pkce'), timeoutMs, noBrowser, giveUpWithoutBrowser: opts.deviceFallback });
    if ('noBrowser' in result) {
      method = fallBackToDevice(ctx, url, info, overrides, result.noBrowser);
      client = clientFor(method);
      tokens = await deviceLogin(ctx, client.provider, again(url, method));
    } else {
      tokens = result;
    }
  } else if (method === 'code') {
    tokens = await deviceLogin(ctx, client.provider, again(url, 'code'));
  } else {
    tokens = await passwordLogin(client.provider, credentials!, again(url, 'password'));
  }

  const id = readClaims(tokens.bearer);
  const username = credentials?.username ?? id?.preferred_username ?? id?.email;
  if (!tokens.refreshToken) ctx.warn('the identity provider issued no refresh token: when the current token expires, you will have to log in again');
  const used = client.endpoints;
  const saved = await saveLogin(
    ctx,
    url,
    { method, username, clientId: used.clientId, tokenEndpoint: used.tokenEndpoint, ...(opts.allowInsecureHttp ? { allowInsecureHttp: true } : {}) },
    { secrets: { refreshToken: tokens.refreshToken, jwt: tokens.bearer, jwtExpiresAt: tokens.expiresAt }, choice },
  );
  return { ...saved, name: displayName(id) ?? username ?? 'user' };
}

function again(url: string, method: OAuthMethod): string {
  return `run \`osmo login ${url} --method ${method}\` again`;
}

/** Where no browser can be opened and none was asked for: a device code, said so; else stop now, not after a time-out. */
function fallBackToDevice(ctx: Terminal, url: string, info: LoginInfo, overrides: EndpointOverrides, why: string): 'code' {
  if (!offersDeviceLogin(info, url, overrides)) {
    throw new UsageError(
      `no browser can be opened here (${why}) and ${url} offers no device-code login`,
      'log in with --method token --token-file FILE, or with --method code --device-endpoint URL --client-id ID',
    );
  }
  ctx.notice(`No browser can be opened here (${why}); logging in with a device code instead (--method code).`);
  return 'code';
}

async function deviceLogin(ctx: Services, provider: OAuthProvider, hint: string): Promise<Tokens> {
  const { deviceLogin: run } = await import('../oauth/device-flow.js');
  return run(ctx, provider, hint);
}

async function passwordLogin(provider: OAuthProvider, credentials: PasswordInput, hint: string): Promise<Tokens> {
  try {
    return await provider.password(credentials.username, credentials.password);
  } catch (err) {
    // invalid_grant is how RFC 6749 says "wrong user name or password".
    if (err instanceof OAuthRefused && err.error === 'invalid_grant') {
      throw new AuthError(`the identity provider refused the user name or password of ${credentials.username} (${err.detail})`, `check them and ${hint}`);
    }
    throw err;
  }
}
