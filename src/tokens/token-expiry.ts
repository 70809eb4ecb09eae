import type { AccessToken } from '../api/schemas.js';
import { datePart } from '../util/dates.js';
import type { Duration } from './duration.js';

// Which tokens `osmo token list` shows as expired, and its expiry filters.

export interface ExpiryFilter {
  /** Only active tokens that expire within this long. */
  expiringWithin?: Duration;
  /** Only expired tokens (with expiringWithin: either kind). */
  expired?: boolean;
}

/** Expired when its expiry date is on or before today (UTC, YYYY-MM-DD). */
export function isExpired(token: AccessToken, today: string): boolean {
  return datePart(token.expires_at) <= today;
}

/** The tokens the filter keeps; all of them when it sets nothing. */
export async function filterByExpiry(tokens: AccessToken[], filter: ExpiryFilter, today: string): Promise<AccessToken[]> {
  if (!filter.expired && !filter.expiringWithin) return tokens;
  // date-fns loads only for a filter that needs it.
  const { addDuration } = await import('./duration.js');
  const until = filter.expiringWithin ? (addDuration(today, filter.expiringWithin) ?? '9999-12-31') : undefined;
  return tokens.filter((t) => (isExpired(t, today) ? Boolean(filter.expired) : until !== undefined && datePart(t.expires_at) <= until));
}
