import * as oauth from 'oauth4webapi';
import type { Transport } from '../http/transport.js';
import { isLoopbackHost } from '../util/url.js';
import { checkOAuthEndpoint } from './endpoints.js';
import { oauthFailure } from './oauth-errors.js';
import { transportFetch } from './transport-fetch.js';

// `osmo logout` of an OAuth login: the refresh token is revoked at the
// identity provider (RFC 7009), as `gcloud auth revoke` does, so a copy left
// anywhere (a backup, a leaked credentials.json) stops working too.

/**
 * Revokes `refreshToken` at the revocation endpoint the provider `issuer`
 * advertises in its discovery document. Returns false when it advertises
 * none (nothing to do); throws an OsmoError when the provider could not be
 * asked or refused. Each request is bounded by the Transport's time-out.
 */
export async function revokeRefreshToken(issuer: string, clientId: string, refreshToken: string, transport: Transport): Promise<boolean> {
  const customFetch = transportFetch(transport);
  const options = (url: string) => {
    const { protocol, hostname } = new URL(url);
    return { [oauth.customFetch]: customFetch, [oauth.allowInsecureRequests]: protocol === 'http:' && isLoopbackHost(hostname) };
  };
  const hint = 'it stays valid at the identity provider until it expires';
  try {
    const issuerUrl = new URL(checkOAuthEndpoint(issuer, 'identity provider'));
    const as = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, { algorithm: 'oidc', ...options(issuerUrl.href) }));
    if (!as.revocation_endpoint) return false;
    const endpoint = checkOAuthEndpoint(as.revocation_endpoint, 'revocation endpoint');
    const res = await oauth.revocationRequest({ ...as, revocation_endpoint: endpoint }, { client_id: clientId }, oauth.None(), refreshToken, {
      additionalParameters: { token_type_hint: 'refresh_token' },
      ...options(endpoint),
    });
    await oauth.processRevocationResponse(res);
    return true;
  } catch (err) {
    throw oauthFailure(err, hint, [refreshToken]);
  }
}
