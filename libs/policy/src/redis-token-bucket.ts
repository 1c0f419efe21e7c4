import type { Redis } from 'ioredis';
import type { RateLimitDecision } from './token-bucket';
import { LUA_COMMON, defineScript, luaScript, runScript } from './lua/common';
import type { RateLimitSettings } from './types';

/**
 * Check-and-take as a Lua function (needs `LUA_COMMON`): read, refill, take and write happen
 * atomically in Redis, so concurrent callers (any replica) can never both spend the same token.
 * Time is Redis server time (`TIME`, fractional ms), so replicas with skewed clocks agree. Same
 * math as `take()` in token-bucket.ts.
 *
 * `bucket_take(key, capacity, refill_per_sec, n, idle_ttl_ms, now)` → {allowed 0|1, tokens (string),
 * retry_after_ms (-1 = never), reset_ms (-1 = never)}; key = bucket hash {tokens, ts}; idle TTL is
 * used for refill 0 only. `bucket_take_args(key, argv, at, now)` reads the four numbers from
 * `argv[at..at+3]` (as encoded by `encodeTokenBucketArgs`).
 */
export const TOKEN_BUCKET_LUA = `
local function bucket_take(key, capacity, refill, n, idle_ttl, now)
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
  redis.call('HSET', key, 'tokens', fmt(tokens), 'ts', fmt(now))
  local ttl = idle_ttl
  if refill > 0 then ttl = reset + 1000 end
  redis.call('PEXPIRE', key, ttl)
  return {allowed, fmt(tokens), retry_after, reset}
end
local function bucket_take_args(key, argv, at, now)
  return bucket_take(key, tonumber(argv[at]), tonumber(argv[at + 1]), tonumber(argv[at + 2]), tonumber(argv[at + 3]), now)
end
`;

/**
 * The standalone script: KEYS[1] bucket hash; ARGV: capacity, refill_per_sec, n, idle TTL ms
 * (`encodeTokenBucketArgs`). Returns `bucket_take`'s reply.
 */
export const TOKEN_BUCKET_SCRIPT = luaScript(
  LUA_COMMON,
  TOKEN_BUCKET_LUA,
  `
local now = redis_clock()
return bucket_take_args(KEYS[1], ARGV, 1, now)
`,
);

const SCRIPT = defineScript(TOKEN_BUCKET_SCRIPT);

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

/** Options with their defaults applied (shared with `RedisAdmission`, so both address the same keys). */
export function resolveTokenBucketOptions(options: RedisTokenBucketOptions = {}): Required<Pick<RedisTokenBucketOptions, 'namespace' | 'idleTtlMs'>> {
  return { namespace: options.namespace ?? 'policy:bucket:', idleTtlMs: Math.max(1, Math.floor(options.idleTtlMs ?? 86_400_000)) };
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
    ({ namespace: this.namespace, idleTtlMs: this.idleTtlMs } = resolveTokenBucketOptions(options));
  }

  /** The Redis key (before the client's keyPrefix) holding `key`'s bucket. */
  redisKey(key: string): string {
    return `${this.namespace}${key}`;
  }

  async take(key: string, settings: RateLimitSettings, n = 1): Promise<RateLimitDecision> {
    const reply = await runScript(this.redis, SCRIPT, [this.redisKey(key)], encodeTokenBucketArgs(settings, n, this.idleTtlMs));
    return decodeTokenBucketReply(reply, Math.max(0, settings.capacity));
  }
}

/** ARGV block for `bucket_take_args`: capacity, refill_per_sec (both clamped at 0), n, idle TTL ms. */
export function encodeTokenBucketArgs(settings: RateLimitSettings, n: number, idleTtlMs: number): string[] {
  return [String(Math.max(0, settings.capacity)), String(Math.max(0, settings.refill_per_sec)), String(Math.max(0, n)), String(idleTtlMs)];
}

/** Parses `bucket_take`'s reply {allowed, tokens, retry_after_ms (-1 = never), reset_ms (-1 = never)}. */
export function decodeTokenBucketReply(reply: unknown, capacity: number): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== 4) throw new Error('token bucket script: unexpected reply');
  const [allowed, tokens, retryAfter, reset] = reply.map(Number) as [number, number, number, number];
  if (![allowed, tokens, retryAfter, reset].every(Number.isFinite)) throw new Error('token bucket script: non-numeric reply');
  return {
    allowed: allowed === 1,
    limit: capacity,
    remaining: Math.floor(tokens),
    retryAfterMs: retryAfter < 0 ? Number.POSITIVE_INFINITY : retryAfter,
    resetMs: reset < 0 ? Number.POSITIVE_INFINITY : reset,
  };
}
