import * as oauth from 'oauth4webapi';
import { ApiError, AuthError, NetworkError, OsmoError } from '../errors.js';
import { redactSecrets } from '../http/redact.js';
import { oneLine } from '../util/display-text.js';

/**
 * The identity provider answered with an RFC 6749/8628 error. `error` lets
 * callers tell "still pending" from "denied" without parsing messages.
 */
export class OAuthRefused extends AuthError {
  constructor(
    readonly error: string,
    readonly detail: string,
    hint?: string,
  ) {
    super(`the identity provider refused the request (${detail})`, hint);
  }
}

/**
 * Turns whatever oauth4webapi threw into one of the CLI's typed errors.
 * `sent` lists the secrets of the request (password, refresh token, code,
 * verifier, device code): an identity provider that echoes the request in its
 * error must not make osmo print them, on stderr or in `-t json` errors.
 */
export function oauthFailure(err: unknown, hint: string, sent: Array<string | undefined> = []): OsmoError {
  // The transport's own errors (connection refused, TLS, time-out) are ready as they are.
  if (err instanceof OsmoError) return err;
  const clean = (text: string): string => withoutSecrets(text, sent);
  if (err instanceof oauth.ResponseBodyError) {
    const detail = clean(err.error_description ? `${err.error}: ${err.error_description}` : err.error);
    if (err.status === 429) return new ApiError(`the identity provider is rate limiting (${detail})`, 429, 'retry later');
    if (err.status >= 500) return new NetworkError(`the identity provider failed (HTTP ${err.status}, ${detail})`, 'try again later');
    return new OAuthRefused(err.error, detail, hint);
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    const detail = clean(err.error_description ? `${err.error}: ${err.error_description}` : err.error);
    return new OAuthRefused(err.error, detail, hint);
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    return new AuthError(`the identity provider refused the client (HTTP ${err.response.status})`, 'check --client-id, or ask the service administrator');
  }
  if (err instanceof oauth.OperationProcessingError) return processingFailure(err, hint, clean);
  return new NetworkError(`the OAuth request failed: ${clean(err instanceof Error ? err.message : String(err))}`, 'run again with --debug for details');
}

/**
 * Server text made fit for one error line, with every secret sent removed,
 * raw or form-encoded as an echo may show it. Short secrets (a password may be
 * one) are removed too: an odd-looking message is better than a leaked one.
 */
function withoutSecrets(text: string, sent: Array<string | undefined>): string {
  const forms = sent.flatMap((s) => (s ? [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)] : []));
  return oneLine(redactSecrets(text, forms, 1));
}

function processingFailure(err: oauth.OperationProcessingError, hint: string, clean: (text: string) => string): OsmoError {
  const cause = err.cause as { claim?: unknown; status?: unknown } | undefined;
  switch (err.code) {
    case oauth.RESPONSE_IS_NOT_CONFORM: {
      const status = cause instanceof Response ? cause.status : 0;
      if (status === 429) return new ApiError('the identity provider is rate limiting (HTTP 429)', 429, 'retry later');
      if (status >= 400 && status < 500) return new AuthError(`the identity provider refused the request (HTTP ${status})`, hint);
      return new NetworkError(`the identity provider failed (HTTP ${status})`, 'try again later');
    }
    case oauth.JWT_CLAIM_COMPARISON:
      if (cause?.claim === 'nonce') {
        return new AuthError('nonce mismatch: the ID token was not issued for this login attempt', `${hint}; if it happens again, something between you and the identity provider is tampering with the login`);
      }
      return new AuthError(`the ID token is not for this client: ${clean(err.message)}`, 'check --client-id');
    case oauth.JWT_TIMESTAMP_CHECK:
      return new AuthError(`the ID token is not valid now: ${clean(err.message)}`, 'check that this computer\'s clock is right');
    default:
      return new NetworkError(`the identity provider's answer is not valid OAuth: ${clean(err.message)}`, 'check the OAuth endpoints; run again with --debug for details');
  }
}
