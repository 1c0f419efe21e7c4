import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimitDecision } from './token-bucket';
import type { RateLimitSettings } from './types';

/**
 * Check-and-take in one script: read, refill, take and write happen atomically in Redis, so
 * concurrent callers (any replica) can never both spend the same token. Time is Redis server
 * time (`TIME`), so replicas with skewed clocks agree. Same math as `take()` in token-bucket.ts.
 *
 * KEYS[1] bucket hash {tokens, ts}; ARGV: capacity, refill_per_sec, n, idle TTL ms (refill 0 only).
 * Returns {allowed 0|1, tokens (string), retry_after_ms (-1 = never), reset_ms (-1 = never)}.
 */
export const TOKEN_BUCKET_SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local idle_ttl = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local stored = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(stored[1])
local ts = tonumber(stored[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now < ts then now = ts end
tokens = math.min(capacity, tokens + (now - ts) * refill / 1000)
local allowed = 0
local retry_after = 0
if tokens >= n then
  tokens = tokens - n
  allowed = 1
elseif refill > 0 and n <= capacity then
  retry_after = math.ceil((n - tokens) * 1000 / refill - 1e-6)
else
  retry_after = -1
end
local reset = 0
if tokens < capacity then
  if refill > 0 then reset = math.ceil((capacity - tokens) * 1000 / refill - 1e-6) else reset = -1 end
end
redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
local ttl = idle_ttl
if refill > 0 then ttl = reset + 1000 end
redis.call('PEXPIRE', key, ttl)
return {allowed, string.format('%.17g', tokens), retry_after, reset}
`;

const SCRIPT_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

/** The part of an ioredis client the bucket uses (a `Redis`; tests may pass a fake). */
export type TokenBucketRedis = Pick<Redis, 'evalsha' | 'eval'>;

export interface RedisTokenBucketOptions {
  /** Prepended to every caller key (after the client's own ioredis `keyPrefix`). Default `policy:bucket:`. */
  namespace?: string;
  /**
   * Expiry of an idle bucket that never refills (`refill_per_sec` 0), default 24 h. With a refill
   * rate the key expires 1 s after it would be full again, which is indistinguishable from keeping it.
   */
  idleTtlMs?: number;
}

/**
 * Token buckets in Redis, one per caller key (the execution plane uses workspace + connector +
 * operation). Script sent by EVALSHA; on NOSCRIPT (restarted or flushed server) by EVAL, which
 * also caches it again.
 */
export class RedisTokenBucket {
  private readonly namespace: string;
  private readonly idleTtlMs: number;

  constructor(
    private readonly redis: TokenBucketRedis,
    options: RedisTokenBucketOptions = {},
  ) {
    this.namespace = options.namespace ?? 'policy:bucket:';
    this.idleTtlMs = Math.max(1, Math.floor(options.idleTtlMs ?? 86_400_000));
  }

  /** The Redis key (before the client's keyPrefix) holding `key`'s bucket. */
  redisKey(key: string): string {
    return `${this.namespace}${key}`;
  }

  async take(key: string, settings: RateLimitSettings, n = 1): Promise<RateLimitDecision> {
    const capacity = Math.max(0, settings.capacity);
    const args = [this.redisKey(key), String(capacity), String(Math.max(0, settings.refill_per_sec)), String(Math.max(0, n)), String(this.idleTtlMs)];
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(SCRIPT_SHA, 1, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.redis.eval(TOKEN_BUCKET_SCRIPT, 1, ...args);
    }
    return decode(reply, capacity);
  }
}

function decode(reply: unknown, capacity: number): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== 4) throw new Error('token bucket script: unexpected reply');
  const [allowed, tokens, retryAfter, reset] = reply.map(Number) as [number, number, number, number];
  return {
    allowed: allowed === 1,
    limit: capacity,
    remaining: Math.floor(tokens),
    retryAfterMs: retryAfter < 0 ? Number.POSITIVE_INFINITY : retryAfter,
    resetMs: reset < 0 ? Number.POSITIVE_INFINITY : reset,
  };
}
