import { createRemoteJWKSet, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '@orch/contracts';
import type { TokenAudience } from '@orch/data';
import type { KeyRing } from '../keys/key-ring';
import { SIGNING_ALGORITHM } from '../keys/key-ring';
import type { OrchestratorClaims } from './claims';

export interface TokenVerifier {
  /** Verified claims, or throws UNAUTHENTICATED (never saying which check failed). */
  verify(token: string): Promise<OrchestratorClaims>;
}

export interface VerifierOptions {
  issuer: string;
  audience: TokenAudience;
  clockToleranceSeconds?: number;
}

const TYPES = new Set(['service', 'operator', 'impersonation']);

function unauthenticated(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Missing, invalid or expired token');
}

/**
 * Checks a compact JWS: algorithm pinned to EdDSA (so `none` and HS256-with-the-public-key are
 * refused before any key is used), known kid, signature, iss, aud, exp/nbf/iat, and our shape.
 */
function createVerifier(getKey: JWTVerifyGetKey, options: VerifierOptions): TokenVerifier {
  return {
    async verify(token: string): Promise<OrchestratorClaims> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms: [SIGNING_ALGORITHM],
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['exp', 'iat', 'sub', 'jti'],
          clockTolerance: options.clockToleranceSeconds ?? 5,
          typ: 'JWT',
        }));
      } catch {
        throw unauthenticated();
      }
      if (!isOrchestratorClaims(payload, options.audience)) throw unauthenticated();
      return payload;
    },
  };
}

function isOrchestratorClaims(payload: JWTPayload, audience: TokenAudience): payload is JWTPayload & OrchestratorClaims {
  const claims = payload as Partial<OrchestratorClaims>;
  if (typeof claims.typ !== 'string' || !TYPES.has(claims.typ)) return false;
  if (payload.aud !== audience) return false;
  if (claims.typ === 'operator') return Array.isArray(claims.roles) && claims.roles.every((r) => typeof r === 'string');
  // Service and impersonation tokens are always bound to one workspace and carry scopes.
  if (typeof claims.tid !== 'string' || typeof claims.scope !== 'string') return false;
  if (claims.typ === 'impersonation') return typeof claims.sid === 'string' && typeof claims.act?.sub === 'string';
  return true;
}

/** control-api verifies its own tokens against its key ring. */
export function createLocalVerifier(keys: KeyRing, options: VerifierOptions): TokenVerifier {
  return createVerifier(async (header) => {
    const key = keys.find(header.kid);
    if (!key) throw unauthenticated();
    return key.publicKey;
  }, options);
}

/**
 * The other apps verify through control-api's JWKS: jose caches it and refetches on an
 * unknown kid (at most every 30 s), which is how a rotated-in key is picked up.
 */
export function createRemoteVerifier(jwksUrl: string, options: VerifierOptions): TokenVerifier {
  return createVerifier(createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 2000 }), options);
}
