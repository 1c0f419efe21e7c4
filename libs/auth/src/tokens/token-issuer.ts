import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from '../keys/key-ring';
import { SIGNING_ALGORITHM } from '../keys/key-ring';
import { MAX_TOKEN_TTL_SECONDS, type OrchestratorClaims } from './claims';

export type TokenRequest = Omit<OrchestratorClaims, 'iss' | 'iat' | 'exp' | 'jti'>;

export interface IssuedToken {
  token: string;
  claims: OrchestratorClaims;
  expiresIn: number;
}

/** Signs tokens with the ring's active key. Only control-api holds a KeyRing. */
export class TokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async issue(request: TokenRequest, ttlSeconds: number): Promise<IssuedToken> {
    const expiresIn = Math.min(Math.max(1, Math.floor(ttlSeconds)), MAX_TOKEN_TTL_SECONDS);
    const iat = Math.floor(this.now() / 1000);
    const claims: OrchestratorClaims = { ...request, iss: this.issuer, iat, exp: iat + expiresIn, jti: randomUUID() };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: this.keys.active.kid, typ: 'JWT' })
      .sign(this.keys.active.privateKey);
    return { token, claims, expiresIn };
  }
}
