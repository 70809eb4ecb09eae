import * as oauth from 'oauth4webapi';
import { decodeJwt } from 'jose';
import { AuthError } from '../errors.js';
import type { Transport } from '../http/transport.js';
import { isLoopbackHost } from '../util/url.js';
import type { OAuthEndpoints } from './endpoints.js';
import { oauthFailure } from './oauth-errors.js';
import { transportFetch, type OAuthFetch } from './transport-fetch.js';

/** `profile` gives the ID token the name we greet with; `offline_access` the refresh token. */
export const SCOPE = 'openid offline_access profile';

/** What a successful token request leaves us with. */
export interface Tokens {
  /**
   * What API calls send as Bearer: the ID token, as OSMO's own Python client
   * does (the service's gateway validates the provider's ID tokens). Already
   * checked by oauth4webapi (aud, exp, iat, sub, azp, and nonce where one was
   * sent), so its claims also name the user.
   */
  bearer: string;
  refreshToken?: string;
  /** When the bearer expires, unix seconds. */
  expiresAt?: number;
}

/**
 * One public OAuth client of one identity provider, on top of oauth4webapi.
 * Every request goes through the project's Transport; every failure leaves
 * as one of the CLI's typed errors, with `hint` saying what to do next.
 */
export class OAuthProvider {
  private as: oauth.AuthorizationServer;
  private issuerKnown = false;
  private readonly client: oauth.Client;
  private readonly fetch: OAuthFetch;

  constructor(endpoints: OAuthEndpoints, transport: Transport, private readonly hint: string) {
    this.client = { client_id: endpoints.clientId };
    this.fetch = transportFetch(transport);
    // The service's LoginInfo names endpoints but no issuer; see learnIssuer().
    this.as = {
      issuer: new URL(endpoints.tokenEndpoint).origin,
      token_endpoint: endpoints.tokenEndpoint,
      device_authorization_endpoint: endpoints.deviceEndpoint,
      authorization_endpoint: endpoints.browserEndpoint,
    };
  }

  authorizationUrl(params: Record<string, string>): URL {
    const url = new URL(this.as.authorization_endpoint ?? '');
    for (const [key, value] of Object.entries({ client_id: this.client.client_id, response_type: 'code', scope: SCOPE, ...params })) url.searchParams.set(key, value);
    return url;
  }

  /** Authorization code grant with the PKCE verifier; the ID token must carry our nonce. */
  exchangeCode(callback: URLSearchParams, state: string, redirectUri: string, verifier: string, nonce: string): Promise<Tokens> {
    return this.call(async () => {
      // RFC 9207: a provider that names itself in the callback pins the issuer the ID token must match.
      const iss = callback.get('iss');
      if (iss) this.pinIssuer(iss);
      const params = oauth.validateAuthResponse(this.as, this.client, callback, state);
      const res = await oauth.authorizationCodeGrantRequest(this.as, this.client, oauth.None(), params, redirectUri, verifier, this.options(this.as.token_endpoint));
      await this.learnIssuer(res);
      return oauth.processAuthorizationCodeResponse(this.as, this.client, res, { expectedNonce: nonce, requireIdToken: true });
    }, [callback.get('code') ?? undefined, verifier]);
  }

  async startDevice(): Promise<oauth.DeviceAuthorizationResponse> {
    try {
      const res = await oauth.deviceAuthorizationRequest(this.as, this.client, oauth.None(), { scope: SCOPE }, this.options(this.as.device_authorization_endpoint));
      return await oauth.processDeviceAuthorizationResponse(this.as, this.client, res);
    } catch (err) {
      throw oauthFailure(err, this.hint);
    }
  }

  /** One poll; `authorization_pending` and friends come back as OAuthRefused with that `error`. */
  pollDevice(deviceCode: string): Promise<Tokens> {
    return this.call(async () => {
      const res = await oauth.deviceCodeGrantRequest(this.as, this.client, oauth.None(), deviceCode, this.options(this.as.token_endpoint));
      await this.learnIssuer(res);
      return oauth.processDeviceCodeResponse(this.as, this.client, res);
    }, [deviceCode]);
  }

  password(username: string, password: string): Promise<Tokens> {
    return this.call(async () => {
      const res = await oauth.genericTokenEndpointRequest(this.as, this.client, oauth.None(), 'password', { username, password, scope: SCOPE }, this.options(this.as.token_endpoint));
      await this.learnIssuer(res);
      return oauth.processGenericTokenEndpointResponse(this.as, this.client, res);
    }, [password]);
  }

  /**
   * `keep` gets a rotated refresh token the moment the answer arrives, before
   * the answer is checked: a provider that rotates has already invalidated
   * `refreshToken`, and an answer refused below must not lose the login too.
   */
  refresh(refreshToken: string, keep: (rotated: string) => Promise<void>): Promise<Tokens> {
    return this.call(async () => {
      const res = await oauth.refreshTokenGrantRequest(this.as, this.client, oauth.None(), refreshToken, this.options(this.as.token_endpoint));
      const rotated = await rotatedRefreshToken(res, refreshToken);
      if (rotated !== undefined) await keep(rotated);
      await this.learnIssuer(res);
      return oauth.processRefreshTokenResponse(this.as, this.client, res);
    }, [refreshToken]);
  }

  /** `sent`: the secrets in the request, never to be repeated in an error (a provider may echo them). */
  private async call(grant: () => Promise<oauth.TokenEndpointResponse>, sent: Array<string | undefined>): Promise<Tokens> {
    let res: oauth.TokenEndpointResponse;
    try {
      res = await grant();
    } catch (err) {
      throw oauthFailure(err, this.hint, sent);
    }
    // The ID token is what the service's gateway checks. An access token in its
    // place (often not even a JWT) would be refused at the next command, and a
    // renewal must leave the stored login as it was rather than keep it.
    if (!res.id_token) throw new AuthError('the identity provider did not return an ID token; log in again', this.hint);
    const bearer = res.id_token;
    return { bearer, refreshToken: res.refresh_token, expiresAt: expiryOf(bearer, res) };
  }

  // Plain http:// only reaches this point for loopback hosts (checkOAuthEndpoint),
  // and oauth4webapi is told so per request, never globally.
  private options(endpoint: string | undefined): { [oauth.customFetch]: OAuthFetch; [oauth.allowInsecureRequests]: boolean } {
    const url = new URL(endpoint ?? '');
    return { [oauth.customFetch]: this.fetch, [oauth.allowInsecureRequests]: url.protocol === 'http:' && isLoopbackHost(url.hostname) };
  }

  private pinIssuer(issuer: string): void {
    this.as = { ...this.as, issuer };
    this.issuerKnown = true;
  }

  /**
   * Without discovery the expected issuer is unknown, so it is taken from the
   * ID token itself. That token comes straight from the token endpoint the
   * service named, over TLS, which OpenID Connect Core 3.1.3.7 accepts in
   * place of further proof; audience, expiry, subject and nonce are still checked.
   */
  private async learnIssuer(res: Response): Promise<void> {
    if (this.issuerKnown || !res.ok) return;
    try {
      const body = (await res.clone().json()) as { id_token?: unknown };
      const iss = typeof body.id_token === 'string' ? decodeJwt(body.id_token).iss : undefined;
      if (iss) this.pinIssuer(iss);
    } catch {
      /* not JSON or not a JWT: oauth4webapi reports it when it reads the same body */
    }
  }
}

/** The refresh token of a successful answer, when it is a new one. */
async function rotatedRefreshToken(res: Response, used: string): Promise<string | undefined> {
  if (!res.ok) return undefined;
  try {
    const body = (await res.clone().json()) as { refresh_token?: unknown };
    return typeof body.refresh_token === 'string' && body.refresh_token && body.refresh_token !== used ? body.refresh_token : undefined;
  } catch {
    return undefined; // not JSON: oauth4webapi reports it when it reads the same body
  }
}

/** The bearer's own `exp` (what the gateway checks), else the response's `expires_in`. */
function expiryOf(bearer: string, res: oauth.TokenEndpointResponse): number | undefined {
  const fromExpiresIn = typeof res.expires_in === 'number' ? Math.floor(Date.now() / 1000) + res.expires_in : undefined;
  let fromClaim: number | undefined;
  try {
    const exp = decodeJwt(bearer).exp;
    fromClaim = typeof exp === 'number' ? exp : undefined;
  } catch {
    /* an opaque access token: only expires_in tells */
  }
  return fromClaim ?? fromExpiresIn;
}
