import type { RetryHandler } from 'undici';

// Transient failures worth another try for idempotent requests only.
export const RETRY_STATUS_CODES = [502, 503, 504];
export const RETRY_ERROR_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET'];

type RetryCallback = NonNullable<RetryHandler.RetryOptions['retry']>;

/**
 * undici's retry decision with "full jitter" added to its exponential
 * back-off, so that parallel CI jobs hitting the same outage do not retry in
 * lock-step. Retry-After is honoured up to the maximum delay. The back-off
 * is waited through `wait`, the context's clock (Services.sleep).
 */
export const jitteredRetry = (wait: (ms: number) => Promise<void>): RetryCallback => (err, { state, opts }, cb) => {
  const { statusCode, code, headers } = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string> };
  const retry = opts.retryOptions ?? {};
  const maxRetries = retry.maxRetries ?? 3;
  const minTimeout = retry.minTimeout ?? 250;
  const maxTimeout = retry.maxTimeout ?? 4000;
  const factor = retry.timeoutFactor ?? 2;

  const retryableCode = code === undefined || code === 'UND_ERR_REQ_RETRY' || (retry.errorCodes ?? RETRY_ERROR_CODES).includes(code);
  const retryableStatus = statusCode == null || (retry.statusCodes ?? RETRY_STATUS_CODES).includes(statusCode);
  const retryableMethod = !retry.methods || retry.methods.includes(opts.method as never);
  if (!retryableCode || !retryableStatus || !retryableMethod || state.counter > maxRetries) {
    cb(err);
    return;
  }
  const retryAfterSeconds = Number(headers?.['retry-after']);
  const backoff = Math.min(minTimeout * factor ** (state.counter - 1), maxTimeout);
  const delay = retryAfterSeconds > 0 ? Math.min(retryAfterSeconds * 1000, maxTimeout) : backoff / 2 + Math.random() * (backoff / 2);
  wait(delay).then(
    () => cb(null),
    (stopped: unknown) => cb(stopped instanceof Error ? stopped : new Error(String(stopped))),
  );
};
