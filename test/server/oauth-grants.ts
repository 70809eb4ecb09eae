// State of the fake identity provider: pending device authorizations,
// authorization codes and refresh tokens. Kept apart from the HTTP routes so
// the test controls and the token endpoint share one source of truth.
import { createHash, randomBytes, randomInt } from 'node:crypto';

export interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAtMs: number;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  user?: string;
}

export interface AuthCode {
  clientId: string;
  redirectUri: string;
  challenge?: string;
  nonce?: string;
  user: string;
  expiresAtMs: number;
}

export interface RefreshGrant {
  user: string;
  clientId: string;
}

// RFC 8628 §6.1: consonants only, so codes cannot spell words or be misread.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const DEVICE_TTL_S = 600;
const CODE_TTL_MS = 60_000;

export const opaque = (): string => randomBytes(32).toString('base64url');
export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

function userCode(): string {
  const pick = (): string => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)] ?? 'B';
  const half = (): string => Array.from({ length: 4 }, pick).join('');
  return `${half()}-${half()}`;
}

/** Users type codes in any case and often without the dash. */
const normalizeUserCode = (code: string): string => code.toUpperCase().replace(/[^A-Z]/g, '');

export class GrantStore {
  readonly devices = new Map<string, DeviceGrant>(); // by device code
  readonly codes = new Map<string, AuthCode>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly passwords = new Map<string, string>();
  readonly grantCounts = new Map<string, number>();
  deviceInterval = 1;
  slowDowns = 0;
  wrongState = false;
  wrongNonce = false;
  noIdTokenOnRefresh = false;

  /** The server's clock (a test's TestClock in-process): device codes and authorization codes expire on it. */
  constructor(private readonly nowMs: () => number = Date.now) {}

  startDevice(clientId: string): DeviceGrant & { expiresIn: number } {
    const grant: DeviceGrant = {
      deviceCode: opaque(), userCode: userCode(), clientId,
      expiresAtMs: this.nowMs() + DEVICE_TTL_S * 1000, status: 'pending',
    };
    this.devices.set(grant.deviceCode, grant);
    return { ...grant, expiresIn: DEVICE_TTL_S };
  }

  byUserCode(code: string): DeviceGrant {
    const wanted = normalizeUserCode(code);
    const grant = [...this.devices.values()].find((g) => normalizeUserCode(g.userCode) === wanted);
    if (!grant) throw new Error(`no device authorization with user code ${code}`);
    return grant;
  }

  /** A device grant whose lifetime ran out counts as expired even if nobody said so. */
  deviceStatus(grant: DeviceGrant): DeviceGrant['status'] {
    if (grant.status === 'pending' && this.nowMs() >= grant.expiresAtMs) grant.status = 'expired';
    return grant.status;
  }

  pendingUserCodes(): string[] {
    return [...this.devices.values()].filter((g) => this.deviceStatus(g) === 'pending').map((g) => g.userCode);
  }

  issueCode(code: Omit<AuthCode, 'expiresAtMs'>): string {
    const value = opaque();
    this.codes.set(value, { ...code, expiresAtMs: this.nowMs() + CODE_TTL_MS });
    return value;
  }

  /** Codes are single use: taking one removes it, whether or not the exchange then succeeds. */
  takeCode(value: string): AuthCode | undefined {
    const code = this.codes.get(value);
    this.codes.delete(value);
    return code && this.nowMs() < code.expiresAtMs ? code : undefined;
  }

  issueRefresh(grant: RefreshGrant): string {
    const value = opaque();
    this.refreshTokens.set(value, grant);
    return value;
  }

  /** Rotation: a refresh token works once. */
  takeRefresh(value: string): RefreshGrant | undefined {
    const grant = this.refreshTokens.get(value);
    this.refreshTokens.delete(value);
    return grant;
  }

  countGrant(grantType: string): void {
    this.grantCounts.set(grantType, (this.grantCounts.get(grantType) ?? 0) + 1);
  }
}
