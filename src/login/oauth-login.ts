import type { Services } from '../services.js';
import type { LoginFlags } from './login-flags.js';
import { AuthError, UsageError } from '../errors.js';
import { resolveEndpoints, type OAuthMethod } from '../oauth/endpoints.js';
import { OAuthRefused } from '../oauth/oauth-errors.js';
import { readPasswordInput, type PasswordInput } from '../oauth/password-flow.js';
import { OAuthProvider, type Tokens } from '../oauth/provider.js';
import { displayName, readClaims } from '../session/jwt-claims.js';
import { chooseStore, saveLogin } from '../session/save-login.js';
import type { LoginResult } from './token-login.js';

/**
 * `osmo login --method pkce|code|password`: get tokens from the service's
 * identity provider, then keep the refresh token and the ID token (the
 * service takes it as its Bearer JWT). Nothing is stored until the provider
 * has answered with tokens, so every failure and Ctrl-C leave no trace.
 */
export async function oauthLogin(ctx: Services, url: string, flags: LoginFlags, allowInsecureHttp: boolean): Promise<LoginResult> {
  const method = oauthMethod(flags.method);
  const hint = `run \`osmo login ${url} --method ${method}\` again`;
  let credentials: PasswordInput | undefined;
  if (method === 'password') {
    credentials = await readPasswordInput(flags, ctx.io);
    if (credentials.warning) ctx.warn(credentials.warning);
  }
  // Before any request: a forced keychain that cannot be reached fails before a password is sent.
  const choice = await chooseStore(ctx);
  const endpoints = await resolveEndpoints(ctx, url, method, flags);
  const provider = new OAuthProvider(endpoints, await ctx.transport(), hint);

  let tokens: Tokens;
  if (method === 'pkce') {
    const { pkceLogin } = await import('../oauth/pkce-flow.js');
    tokens = await pkceLogin(ctx, provider, { url, callbackPort: flags.callbackPort, hint });
  } else if (method === 'code') {
    const { deviceLogin } = await import('../oauth/device-flow.js');
    tokens = await deviceLogin(ctx, provider, hint);
  } else {
    tokens = await passwordLogin(provider, credentials!, hint);
  }

  const id = tokens.idToken ? readClaims(tokens.idToken) : undefined;
  const bearer = readClaims(tokens.bearer);
  const username = credentials?.username ?? id?.preferred_username ?? bearer?.preferred_username ?? id?.email;
  if (!tokens.refreshToken) ctx.warn('the identity provider issued no refresh token: when the current token expires, you will have to log in again');
  const saved = await saveLogin(
    ctx,
    url,
    { method, username, clientId: endpoints.clientId, tokenEndpoint: endpoints.tokenEndpoint, ...(allowInsecureHttp ? { allowInsecureHttp } : {}) },
    { secrets: { refreshToken: tokens.refreshToken, jwt: tokens.bearer, jwtExpiresAt: tokens.expiresAt }, choice },
  );
  return { ...saved, name: displayName(id) ?? username ?? 'user' };
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

function oauthMethod(method: LoginFlags['method']): OAuthMethod {
  if (method === 'pkce' || method === 'code' || method === 'password') return method;
  throw new UsageError(`--method ${method} is not an OAuth login`);
}
