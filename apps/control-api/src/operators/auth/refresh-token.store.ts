import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { generateSecret, hashSecret } from '@orch/auth';
import { REDIS_CLIENT } from '@orch/platform';

/** A refresh chain lives at most this long from its login; rotation does not extend it. */
export const REFRESH_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export type RefreshOutcome =
  | { kind: 'live'; operatorId: string; remainingSeconds: number }
  /** Presented a second time: someone else has (or had) it. */
  | { kind: 'reused'; operatorId: string }
  | { kind: 'unknown' };

/**
 * Atomically consumes a live refresh token, leaving a "used" marker for the rest of its life
 * so a second presentation is recognised as reuse rather than as an unknown token.
 */
const CONSUME_SCRIPT = `
local operator = redis.call('GET', KEYS[1])
if operator then
  local ttl = redis.call('PTTL', KEYS[1])
  redis.call('DEL', KEYS[1])
  if ttl > 0 then redis.call('SET', KEYS[2], operator, 'PX', ttl) end
  return {'live', operator, ttl}
end
local used = redis.call('GET', KEYS[2])
if used then return {'reused', used, 0} end
return {'unknown', '', 0}
`;

/**
 * Opaque refresh tokens, stored only as sha256 in Redis (`auth:refresh:<hash>` → operator id)
 * and indexed per operator (`auth:refresh-index:<operator>`) so they can all be revoked.
 */
@Injectable()
export class RefreshTokenStore {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async issue(operatorId: string, ttlSeconds = REFRESH_TOKEN_TTL_SECONDS): Promise<string> {
    const token = generateSecret('rt');
    const hash = hashSecret(token);
    await this.redis
      .multi()
      .set(liveKey(hash), operatorId, 'EX', ttlSeconds)
      .sadd(indexKey(operatorId), hash)
      .expire(indexKey(operatorId), REFRESH_TOKEN_TTL_SECONDS)
      .exec();
    return token;
  }

  async consume(token: string): Promise<RefreshOutcome> {
    const hash = hashSecret(token);
    const [kind, operatorId, ttlMs] = (await this.redis.eval(CONSUME_SCRIPT, 2, liveKey(hash), usedKey(hash))) as [string, string, number];
    if (kind === 'live') {
      await this.redis.srem(indexKey(operatorId), hash);
      return { kind, operatorId, remainingSeconds: Math.max(1, Math.floor(Number(ttlMs) / 1000)) };
    }
    if (kind === 'reused') return { kind, operatorId };
    return { kind: 'unknown' };
  }

  /** Every live refresh token of the operator stops working. */
  async revokeAll(operatorId: string): Promise<void> {
    const hashes = await this.redis.smembers(indexKey(operatorId));
    await this.redis.del(indexKey(operatorId), ...hashes.map(liveKey));
  }
}

function liveKey(hash: string): string {
  return `auth:refresh:${hash}`;
}

function usedKey(hash: string): string {
  return `auth:refresh-used:${hash}`;
}

function indexKey(operatorId: string): string {
  return `auth:refresh-index:${operatorId}`;
}
