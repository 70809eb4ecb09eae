// In-memory personal access tokens and the calendar arithmetic the service
// applies to them. Expiry is a UTC date; a token is expired on that date.
import { randomBytes } from 'node:crypto';

export const TOKEN_NAME_RE = /^[a-zA-Z]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$/;

export interface PatRole {
  role_name: string;
  assigned_by: string;
  assigned_at: string;
}

export interface Pat {
  secret: string;
  user: string;
  name: string;
  /** YYYY-MM-DD, UTC */
  expiresAt: string;
  description: string;
  roles: PatRole[];
}

const DAY_MS = 86_400_000;

/** Days since the epoch for a real calendar date `YYYY-MM-DD`, else null. */
export function dayNumber(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** Whole days from today (UTC) to `date`; 0 means today, negative is past. */
export function daysFromToday(date: string): number {
  const day = dayNumber(date);
  if (day === null) throw new Error(`not a date: ${date}`);
  return day - Math.floor(Date.now() / DAY_MS);
}

export function addDays(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Python's `datetime.isoformat()` of a naive UTC time: microseconds, no zone. */
export const pythonIsoNow = (): string => `${new Date().toISOString().slice(0, 23)}000`;

export class PatStore {
  private readonly bySecret = new Map<string, Pat>();
  // Per user, by name: seeding or listing 10,000 tokens stays linear. A Map
  // keeps insertion order, which is the listing order.
  private readonly byUser = new Map<string, Map<string, Pat>>();

  add(pat: Omit<Pat, 'secret'>): string {
    if (this.find(pat.user, pat.name)) throw new Error(`Access token ${pat.name} already exists for ${pat.user}`);
    // What the real service hands out: 32 random bytes, 43 URL-safe characters.
    const secret = randomBytes(32).toString('base64url');
    const stored = { ...pat, secret };
    this.bySecret.set(secret, stored);
    let own = this.byUser.get(pat.user);
    if (!own) this.byUser.set(pat.user, (own = new Map()));
    own.set(pat.name, stored);
    return secret;
  }

  bySecretValue(secret: string): Pat | undefined {
    return this.bySecret.get(secret);
  }

  find(user: string, name: string): Pat | undefined {
    return this.byUser.get(user)?.get(name);
  }

  list(user: string): Pat[] {
    return [...(this.byUser.get(user)?.values() ?? [])];
  }

  /** Every PAT of a deleted user goes with it. */
  deleteUser(user: string): void {
    for (const pat of this.list(user)) this.bySecret.delete(pat.secret);
    this.byUser.delete(user);
  }

  /** A role taken from a user is taken from each of the user's PATs (the service's foreign-key cascade). */
  removeRole(user: string, role: string): void {
    for (const pat of this.list(user)) pat.roles = pat.roles.filter((r) => r.role_name !== role);
  }

  delete(user: string, name: string): boolean {
    const pat = this.find(user, name);
    if (!pat) return false;
    this.byUser.get(user)!.delete(name);
    return this.bySecret.delete(pat.secret);
  }
}
