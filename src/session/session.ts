import { AuthError } from '../errors.js';
import type { Authenticator } from '../api/client.js';
import type { CredentialStore, Secrets } from '../store/credential-store.js';
import { noLock as noWait, type Lock } from '../config/lock-type.js';
import { readClaims } from './jwt-claims.js';

/** A cached JWT is reused while it lives at least this much longer. */
export const REFRESH_MARGIN_SECONDS = 30;

/**
 * Turns the long-lived secret (PAT or refresh token) into a fresh JWT.
 * `keep` stores secrets at once: an identity provider that rotates refresh
 * tokens has invalidated the old one as soon as it answered, so the new one
 * is kept before anything else is done with the answer.
 */
export type Renew = (current: Secrets, keep: (secrets: Secrets) => Promise<void>) => Promise<Secrets>;

export interface JwtSessionOptions {
  account: string;
  store: CredentialStore;
  /** Held across a renewal: one per server, so that one renewal happens per expiry. */
  lock: Lock;
  /** Held for each write of the store (the config directory's lock); `lock` when omitted. */
  writeLock?: Lock;
  renew: Renew;
  /** Where the credential came from, named in authentication errors. */
  source: string;
  /** What to do when the service refuses it. */
  recovery: string;
  nowSeconds?: () => number;
  /** Called once, when a JWT is first handed out: the credential works (as far as is known). */
  onFirstJwt?: () => void;
}

/**
 * Gives a valid JWT for one server, renewing it at most once per expiry
 * across every osmo process sharing the login: renewal happens under the
 * config-directory lock, and a process that waited re-reads the store and
 * uses the JWT the lock holder just saved.
 */
export class JwtSession implements Authenticator {
  readonly source: string;
  readonly recovery: string;
  private secrets: Secrets | undefined;
  private renewedAfter401 = false;

  private readonly opts: JwtSessionOptions;

  constructor(opts: JwtSessionOptions) {
    this.opts = { ...opts };
    this.source = opts.source;
    this.recovery = opts.recovery;
  }

  async authHeaders(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.validJwt()}` };
  }

  /** The current JWT, renewed first when it is about to expire. */
  async validJwt(): Promise<string> {
    this.secrets ??= await this.load();
    const jwt = this.isFresh(this.secrets) ? this.secrets.jwt! : await this.renewUnlessFresh(undefined);
    const first = this.opts.onFirstJwt;
    this.opts.onFirstJwt = undefined;
    first?.();
    return jwt;
  }

  async renewAfterUnauthorized(): Promise<boolean> {
    if (this.renewedAfter401) return false;
    this.renewedAfter401 = true;
    try {
      await this.renewUnlessFresh(this.secrets?.jwt);
    } catch (err) {
      // Renewal could not replace the JWT the service just refused (PAT
      // deleted, signing key rotated): it must not be handed out again.
      if (err instanceof AuthError) await this.discardRefused();
      throw err;
    }
    return true;
  }

  /**
   * The service refused the JWT even after a renewal: keep the PAT or refresh
   * token, but drop that JWT, so the next command renews instead of sending
   * it again for the rest of its lifetime.
   */
  async discardRefused(): Promise<void> {
    const refused = this.secrets?.jwt;
    if (!refused) return;
    if (this.secrets) this.secrets = withoutJwt(this.secrets);
    await (this.opts.writeLock ?? this.opts.lock)(async () => {
      const stored = await this.opts.store.get(this.opts.account);
      // Another process may have stored a newer JWT meanwhile; that one is not known to be bad.
      if (stored?.jwt !== refused) return;
      await this.opts.store.set(this.opts.account, withoutJwt(stored));
    });
  }

  /** The JWT as it is now (after any renewal), fresh or not, without renewing it: for reports. */
  async storedJwt(): Promise<string | undefined> {
    this.secrets ??= await this.load();
    return this.secrets.jwt;
  }

  /** Whether the stored JWT is fresh enough to be used without a renewal. */
  async hasFreshJwt(): Promise<boolean> {
    this.secrets ??= await this.load();
    return this.isFresh(this.secrets);
  }

  private renewUnlessFresh(rejectedJwt: string | undefined): Promise<string> {
    return this.opts.lock(async () => {
      // Another process may have renewed while this one waited for the lock.
      const stored = await this.load();
      if (this.isFresh(stored) && stored.jwt !== rejectedJwt) {
        this.secrets = stored;
        return stored.jwt!;
      }
      let base = stored;
      const renewed = await this.opts.renew(stored, async (secrets) => {
        if (await this.save(base, secrets)) base = secrets;
      });
      // Not saved: the login changed meanwhile, and what it holds now is used instead.
      this.secrets = (await this.save(base, renewed)) ? renewed : await this.load();
      return this.secrets.jwt ?? renewed.jwt!;
    });
  }

  /**
   * Stores what a renewal from `from` brought, unless a login made meanwhile
   * (under the config-directory lock, not this server's renewal lock)
   * replaced the PAT or refresh token: that login is newer, and stays.
   */
  private save(from: Secrets, secrets: Secrets): Promise<boolean> {
    return (this.opts.writeLock ?? noWait)(async () => {
      const now = await this.opts.store.get(this.opts.account);
      if (!now || now.pat !== from.pat || now.refreshToken !== from.refreshToken) return false;
      await this.opts.store.set(this.opts.account, secrets);
      return true;
    });
  }

  private async load(): Promise<Secrets> {
    return storedCredentials(await this.opts.store.get(this.opts.account), this.opts.account, `run \`osmo login ${this.opts.account}\``);
  }

  private isFresh(secrets: Secrets): boolean {
    if (!secrets.jwt) return false;
    const expiresAt = secrets.jwtExpiresAt ?? readClaims(secrets.jwt)?.exp;
    const now = this.opts.nowSeconds?.() ?? Date.now() / 1000;
    return expiresAt !== undefined && expiresAt - now >= REFRESH_MARGIN_SECONDS;
  }
}

function withoutJwt(secrets: Secrets): Secrets {
  const kept = { ...secrets };
  delete kept.jwt;
  delete kept.jwtExpiresAt;
  return kept;
}

/** A login's stored secrets, or the error when nothing in them can authenticate (no PAT, refresh token or JWT). */
export function storedCredentials(secrets: Secrets | undefined, account: string, hint: string): Secrets {
  if (!secrets || (!secrets.pat && !secrets.refreshToken && !secrets.jwt)) throw new AuthError(`no credentials stored for ${account}`, hint);
  return secrets;
}

/** Developer mode: the service trusts an x-osmo-user header; nothing to renew. */
export class DevSession implements Authenticator {
  readonly source: string;
  readonly recovery = 'the service may not be in developer mode; log in with `--method token` or another method';
  constructor(private readonly username: string) {
    this.source = `developer login as ${username}`;
  }
  async authHeaders(): Promise<Record<string, string>> {
    return { 'x-osmo-user': this.username };
  }
  async renewAfterUnauthorized(): Promise<boolean> {
    return false;
  }
}
