// RS256 JWTs with node:crypto only. One key pair at a time: rotating it makes
// every earlier token fail verification, which is how tests simulate a
// service that re-keyed under a client holding a cached JWT.
import { createPublicKey, randomBytes, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { rsaKeyPair } from './key-pool.js';

export type Claims = Record<string, unknown>;

/** The gateway's plain-text 401 bodies. */
export type JwtFailure = 'Jwt is expired' | 'Jwt verification fails';

export type Verified = { ok: true; claims: Claims } | { ok: false; reason: JwtFailure };

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(part: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Claims) : undefined;
  } catch {
    return undefined;
  }
}

export class JwtSigner {
  private privateKey!: KeyObject;
  private publicKey!: KeyObject;
  private kid = '';

  /** `decorate` rewrites the claims of every token before signing (a hostile issuer). */
  constructor(private readonly decorate: (claims: Claims) => Claims = (claims) => claims) {
    this.rotate();
  }

  rotate(): void {
    const pair = rsaKeyPair(); // a new key for this process, kept between runs (key-pool.ts)
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = randomBytes(8).toString('hex');
  }

  sign(claims: Claims): string {
    const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${encode(this.decorate(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  /** The gateway's check of a token this signer issued (see verifyRs256). */
  verify(token: string, nowSec: number, issuers: string[]): Verified {
    return verifyRs256(token, nowSec, issuers, this.kid, this.publicKey);
  }

  jwks(): { keys: Claims[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }
}

/** The `iss` a token claims, unverified: which issuer's key to check it with. */
export function issuerOf(token: string): string | undefined {
  const claims = decode(token.split('.')[1] ?? '');
  return typeof claims?.iss === 'string' ? claims.iss : undefined;
}

/**
 * Checks tokens signed by another issuer (an OpenID provider's ID tokens) by
 * the gateway's rules, with that issuer's public key.
 */
export function issuerVerifier(issuer: string, publicJwk: JsonWebKey & { kid?: string }): (token: string, nowSec: number) => Verified {
  const publicKey = createPublicKey({ key: publicJwk, format: 'jwk' });
  return (token, nowSec) => verifyRs256(token, nowSec, [issuer], publicJwk.kid ?? '', publicKey);
}

/**
 * Checks a token the way Envoy's jwt_authn filter does: issuer and time
 * first, the signature last, so an expired token signed with a retired key
 * still reads "Jwt is expired". No clock skew, so tests need not wait a minute.
 */
function verifyRs256(token: string, nowSec: number, issuers: string[], kid: string, publicKey: KeyObject): Verified {
  const fail: Verified = { ok: false, reason: 'Jwt verification fails' };
  const parts = token.split('.');
  if (parts.length !== 3) return fail;
  const [head, body, signature] = parts as [string, string, string];
  const header = decode(head);
  const claims = decode(body);
  if (!header || !claims || header.alg !== 'RS256') return fail;
  if (typeof claims.iss !== 'string' || !issuers.includes(claims.iss)) return fail;
  if (typeof claims.exp !== 'number') return fail;
  if (nowSec >= claims.exp) return { ok: false, reason: 'Jwt is expired' };
  if (header.kid !== kid) return fail;
  const good = verify('sha256', Buffer.from(`${head}.${body}`), publicKey, Buffer.from(signature, 'base64url'));
  return good ? { ok: true, claims } : fail;
}
