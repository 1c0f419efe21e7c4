import {
  createRemoteJWKSet,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
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
  return new DomainError(
    'UNAUTHENTICATED',
    'Missing, invalid or expired token',
  );
}

/** Verified tokens remembered at most this long (and never past their exp). */
const VERIFIED_CACHE_MS = 60_000;
const VERIFIED_CACHE_ENTRIES = 10_000;

/**
 * Checks a compact JWS: algorithm pinned to EdDSA (so `none` and HS256-with-the-public-key are
 * refused before any key is used), known kid, signature, iss, aud, exp/nbf/iat, and our shape.
 *
 * A token that verified is remembered (by its exact text) until its `exp`, at most 60 s: a
 * product backend sends the same token for minutes, and the Ed25519 check is the largest fixed
 * cost of a request. Revocation is unaffected (the guard checks it on every request); a signing
 * key withdrawn from the JWKS stops being accepted within the same 60 s.
 */
function createVerifier(
  getKey: JWTVerifyGetKey,
  options: VerifierOptions,
): TokenVerifier {
  const verified = new Map<
    string,
    { claims: OrchestratorClaims; until: number }
  >();
  return {
    async verify(token: string): Promise<OrchestratorClaims> {
      const now = Date.now();
      const hit = verified.get(token);
      if (hit !== undefined) {
        if (now < hit.until) return hit.claims;
        verified.delete(token);
      }
      const claims = await verifySignature(token, getKey, options);
      if (verified.size >= VERIFIED_CACHE_ENTRIES)
        verified.delete(verified.keys().next().value as string);
      verified.set(token, {
        claims,
        until: Math.min(claims.exp * 1000, now + VERIFIED_CACHE_MS),
      });
      return claims;
    },
  };
}

async function verifySignature(
  token: string,
  getKey: JWTVerifyGetKey,
  options: VerifierOptions,
): Promise<OrchestratorClaims> {
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
}

function isOrchestratorClaims(
  payload: JWTPayload,
  audience: TokenAudience,
): payload is JWTPayload & OrchestratorClaims {
  const claims = payload as Partial<OrchestratorClaims>;
  if (typeof claims.typ !== 'string' || !TYPES.has(claims.typ)) return false;
  if (payload.aud !== audience) return false;
  if (claims.typ === 'operator')
    return (
      Array.isArray(claims.roles) &&
      claims.roles.every((r) => typeof r === 'string')
    );
  // Service and impersonation tokens are always bound to one workspace and carry scopes.
  if (typeof claims.tid !== 'string' || typeof claims.scope !== 'string')
    return false;
  if (claims.typ === 'impersonation')
    return (
      typeof claims.sid === 'string' && typeof claims.act?.sub === 'string'
    );
  return true;
}

/** control-api verifies its own tokens against its key ring. */
export function createLocalVerifier(
  keys: KeyRing,
  options: VerifierOptions,
): TokenVerifier {
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
export function createRemoteVerifier(
  jwksUrl: string,
  options: VerifierOptions,
): TokenVerifier {
  return createVerifier(
    createRemoteJWKSet(new URL(jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 2000,
    }),
    options,
  );
}
