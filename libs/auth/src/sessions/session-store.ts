import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@orch/platform';
import { MAX_TOKEN_TTL_SECONDS } from '../tokens/claims';

/**
 * Live token state in Redis, checked on every request so a revocation, a stopped
 * impersonation or an ended break-glass takes effect at the next request rather than at exp.
 * Revocation markers only need to outlive the longest token (15 min).
 */
@Injectable()
export class SessionStore {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /**
   * Refuses every token of the subject issued up to now (iat ≤ this second). Tokens issued
   * afterwards pass, so a re-login after a role change or re-enable is not locked out for 15 min.
   */
  async revokeSubject(subject: string): Promise<void> {
    await this.redis.set(`auth:revoked:${subject}`, String(Math.floor(Date.now() / 1000)), 'EX', MAX_TOKEN_TTL_SECONDS + 60);
  }

  async startImpersonation(sessionId: string, operatorId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`auth:imp:${sessionId}`, operatorId, 'EX', ttlSeconds);
  }

  async stopImpersonation(sessionId: string): Promise<void> {
    await this.redis.del(`auth:imp:${sessionId}`);
  }

  async activateBreakGlass(operatorId: string, activationId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`auth:bg:${operatorId}`, activationId, 'EX', ttlSeconds);
  }

  async breakGlassActivation(operatorId: string): Promise<string | null> {
    return this.redis.get(`auth:bg:${operatorId}`);
  }

  /**
   * One round trip: is the subject revoked for a token issued at `issuedAt` (seconds; left out =
   * any revocation counts), and is the impersonation session (if any) live?
   */
  async check(subject: string, impersonationSessionId?: string, issuedAt?: number): Promise<{ revoked: boolean; impersonationLive: boolean }> {
    const keys = [`auth:revoked:${subject}`, ...(impersonationSessionId ? [`auth:imp:${impersonationSessionId}`] : [])];
    const values = await this.redis.mget(...keys);
    const revokedAt = values[0] === null ? null : Number(values[0]);
    // Same second counts as revoked: iat has one-second resolution and a token from before the revocation must die.
    const revoked = revokedAt !== null && (issuedAt === undefined || !Number.isFinite(revokedAt) || issuedAt <= revokedAt);
    return { revoked, impersonationLive: impersonationSessionId ? values[1] !== null : false };
  }
}
