import { isValid, parseISO } from 'date-fns';
import { UsageError } from './errors.js';
import { todayUtc } from './util/dates.js';

// Local checks run before any request, so a typo never reaches the service.

const TOKEN_NAME = /^[a-zA-Z]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$/;
const MAX_TOKEN_NAME = 128;
export const DEFAULT_TOKEN_DAYS = 31;

export function validateTokenName(name: string): string {
  if (!TOKEN_NAME.test(name) || name.length > MAX_TOKEN_NAME) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}...` : name;
    throw new UsageError(
      `invalid token name "${shown}": use letters, digits, "-" and "_", starting with a letter and ending with a letter or digit (at most ${MAX_TOKEN_NAME} characters)`,
      'for example: osmo token set ci-github-actions',
    );
  }
  return name;
}

/**
 * --expires-at: a real calendar date YYYY-MM-DD (UTC), later than today.
 * Default: today + 31 days. The service enforces its own maximum.
 */
export function resolveExpiresAt(input: string | undefined, now: Date): string {
  const today = todayUtc(now);
  if (input === undefined) {
    return todayUtc(new Date(Date.parse(`${today}T00:00:00Z`) + DEFAULT_TOKEN_DAYS * 86_400_000));
  }
  const value = input.trim();
  // parseISO also accepts week dates and times; only the plain date form is the contract.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isValid(parseISO(value)) || parseISO(value).getDate() !== Number(value.slice(8))) {
    throw new UsageError(`invalid --expires-at "${input}": expected a calendar date YYYY-MM-DD`, `for example --expires-at ${resolveExpiresAt(undefined, now)}`);
  }
  if (value <= today) {
    throw new UsageError(`--expires-at ${value} is not in the future (today is ${today} UTC)`, 'pick a later date');
  }
  return value;
}

export interface ExpiryFlags {
  expiresAt?: string;
  expiresIn?: string;
}

/**
 * The expiry of a new token from --expires-at or --expires-in (not both): a
 * date later than today (UTC); default today + 31 days. Errors name the date
 * a duration leads to, so `--expires-in 0d` explains itself.
 */
export async function resolveExpiry(flags: ExpiryFlags, now: Date): Promise<string> {
  if (flags.expiresAt !== undefined && flags.expiresIn !== undefined) {
    throw new UsageError('--expires-at and --expires-in cannot be used together', 'give one: --expires-at 2027-01-01 or --expires-in 30d');
  }
  if (flags.expiresIn === undefined) return resolveExpiresAt(flags.expiresAt, now);
  // date-fns' arithmetic loads only for this flag, not at every start.
  const { addDuration, parseDuration } = await import('./tokens/duration.js');
  const today = todayUtc(now);
  const duration = parseDuration(flags.expiresIn, '--expires-in');
  const date = addDuration(today, duration);
  if (date === undefined) throw new UsageError(`--expires-in ${duration.text} ends after 9999-12-31`, 'pick a shorter duration, e.g. --expires-in 1y');
  if (date <= today) {
    throw new UsageError(`--expires-in ${duration.text} gives ${date}, which is not in the future (today is ${today} UTC)`, 'for example --expires-in 30d');
  }
  return date;
}

const USER_ID = /^[a-zA-Z0-9]([a-zA-Z0-9_.@-]*[a-zA-Z0-9])?$/;

/** A user ID as the service's rule allows it; `example` is the command to show in the hint. */
export function validateUserId(id: string, example = 'osmo user get svc-automation'): string {
  if (!USER_ID.test(id)) {
    const shown = id.length > 60 ? `${id.slice(0, 60)}...` : id;
    throw new UsageError(
      `invalid user ID "${shown}": use letters, digits, ".", "_", "@" and "-", starting and ending with a letter or digit`,
      `for example: ${example}`,
    );
  }
  return id;
}

export function validateRoles(roles: string[] | undefined): string[] | undefined {
  if (!roles?.length) return undefined;
  const cleaned = roles.flatMap((r) => r.split(',')).map((r) => r.trim());
  if (cleaned.some((r) => r === '')) throw new UsageError('empty role name in --roles', 'for example: -r osmo-user -r osmo-ml-team');
  return [...new Set(cleaned)];
}

export function validateUser(user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  const value = user.trim();
  if (!value) throw new UsageError('--user needs a user name', 'for example: -u user@example.com');
  // The user is a segment of the request path: `.` or `..` would be resolved
  // away by URL normalisation and turn `-u ..` into a request about your own tokens.
  if (value === '.' || value === '..') throw new UsageError(`invalid --user "${value}": not a user name`, 'for example: -u user@example.com');
  return value;
}
