import type { Redis } from 'ioredis';
import { LUA_COMMON, defineScript, luaScript, runScript } from './lua/common';
import type { Millis } from './types';

/**
 * Concurrency slots as leases in one sorted set per caller key: member = lease id, score = expiry
 * in ms of Redis `TIME`. Every operation first forgets expired leases (their holder died or never
 * released), then acts — all inside one script, so concurrent acquirers from any replica can never
 * push the set past `limit`.
 *
 * Lua functions (need `LUA_COMMON`), `now` in whole ms of Redis `TIME`:
 * `lease_acquire(key, id, limit, lease_ms, now)` → ok 0|1, retry_after_ms (-1 = never);
 * `lease_release(key, id, now)` → 1 when a live lease was removed; `lease_extend(key, id, lease_ms, now)`
 * → 0|1; `lease_run(key, argv, at, now)` reads mode (acquire | release | extend | active), lease id,
 * limit, lease ms from `argv[at..at+3]` (`encodeConcurrencyArgs`), dispatches and returns integers
 * {ok 0|1, active, retry_after_ms (-1 = never)}.
 * acquire: an id already holding a live lease is re-admitted and its lease renewed (idempotent).
 * extend: renews only a live lease (an expired one may already have been replaced).
 * The key's TTL follows the latest lease expiry, so an abandoned set disappears by itself.
 */
export const CONCURRENCY_LIMITER_LUA = `
local function lease_expire_with_latest(key, now)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIRE', key, fmt(math.max(1, tonumber(last[2]) - now))) end
end
local function lease_prune(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', fmt(now))
end
local function lease_acquire(key, member, limit, lease_ms, now)
  lease_prune(key, now)
  if redis.call('ZSCORE', key, member) or redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, fmt(now + lease_ms), member)
    lease_expire_with_latest(key, now)
    return 1, 0
  elseif limit < 1 then
    return 0, -1
  end
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return 0, math.max(1, tonumber(first[2]) - now)
end
local function lease_release(key, member, now)
  lease_prune(key, now)
  return redis.call('ZREM', key, member)
end
local function lease_extend(key, member, lease_ms, now)
  lease_prune(key, now)
  if redis.call('ZSCORE', key, member) then
    redis.call('ZADD', key, 'XX', fmt(now + lease_ms), member)
    lease_expire_with_latest(key, now)
    return 1
  end
  return 0
end
local function lease_run(key, argv, at, now)
  local mode = argv[at]
  local member = argv[at + 1]
  local limit = tonumber(argv[at + 2])
  local lease_ms = tonumber(argv[at + 3])
  if mode == 'active' then
    return {1, redis.call('ZCOUNT', key, '(' .. fmt(now), '+inf'), 0}
  end
  local ok = 0
  local retry_after = 0
  if mode == 'acquire' then
    ok, retry_after = lease_acquire(key, member, limit, lease_ms, now)
  elseif mode == 'release' then
    ok = lease_release(key, member, now)
  elseif mode == 'extend' then
    ok = lease_extend(key, member, lease_ms, now)
  else
    lease_prune(key, now)
  end
  return {ok, redis.call('ZCARD', key), retry_after}
end
`;

/** The standalone script: KEYS[1] the sorted set, ARGV as `encodeConcurrencyArgs`; returns `lease_run`'s reply. */
export const CONCURRENCY_LIMITER_SCRIPT = luaScript(
  LUA_COMMON,
  CONCURRENCY_LIMITER_LUA,
  `
local _, now = redis_clock()
return lease_run(KEYS[1], ARGV, 1, now)
`,
);

const SCRIPT = defineScript(CONCURRENCY_LIMITER_SCRIPT);

/** The part of an ioredis client the limiter uses (a `Redis`; tests may pass a fake). */
export type ConcurrencyLimiterRedis = Pick<Redis, 'evalsha' | 'eval'>;

export type ConcurrencyScriptMode = 'acquire' | 'release' | 'extend' | 'active';

export interface RedisConcurrencyLimiterOptions {
  /** Prepended to every caller key (after the client's own ioredis `keyPrefix`). Default `policy:concurrency:`. */
  namespace?: string;
}

export interface ConcurrencyDecision {
  allowed: boolean;
  /** Live leases after the call (including the one just granted). */
  active: number;
  /**
   * Refused: ms until the earliest live lease expires — an upper bound, a release frees a slot
   * sooner; Infinity when `limit` < 1. 0 when allowed.
   */
  retryAfterMs: Millis;
}

export interface ConcurrencyScriptReply {
  ok: boolean;
  active: number;
  retryAfterMs: Millis;
}

/** ARGV for `CONCURRENCY_LIMITER_SCRIPT` (lease ms rounded up to whole ms, at least 1). */
export function encodeConcurrencyArgs(mode: ConcurrencyScriptMode, leaseId: string, limit: number, leaseMs: Millis): string[] {
  if (mode !== 'active' && leaseId === '') throw new RangeError('concurrency limiter: lease id must not be empty');
  if (!Number.isFinite(limit)) throw new RangeError('concurrency limiter: limit must be a finite number');
  if (!Number.isFinite(leaseMs)) throw new RangeError('concurrency limiter: leaseMs must be a finite number');
  return [mode, leaseId, String(Math.floor(limit)), String(Math.max(1, Math.ceil(leaseMs)))];
}

/** Parses the script reply {ok, active, retry_after_ms (-1 = never)}. */
export function decodeConcurrencyReply(reply: unknown): ConcurrencyScriptReply {
  if (!Array.isArray(reply) || reply.length !== 3) throw new Error('concurrency limiter script: unexpected reply');
  const [ok, active, retryAfter] = reply.map(Number) as [number, number, number];
  if (![ok, active, retryAfter].every(Number.isFinite)) throw new Error('concurrency limiter script: non-numeric reply');
  return { ok: ok === 1, active, retryAfterMs: retryAfter < 0 ? Number.POSITIVE_INFINITY : retryAfter };
}

/** Options with their defaults applied (shared with `RedisAdmission`, so both address the same keys). */
export function resolveConcurrencyLimiterOptions(options: RedisConcurrencyLimiterOptions = {}): Required<RedisConcurrencyLimiterOptions> {
  return { namespace: options.namespace ?? 'policy:concurrency:' };
}

/**
 * Concurrent-execution quotas (DESIGN §5 workspace quotas): at most `limit` live leases per key.
 * A holder releases its lease when done; if its process dies the lease expires after `leaseMs`
 * and frees the slot. Long-running holders call `extend` before their lease runs out.
 */
export class RedisConcurrencyLimiter {
  private readonly namespace: string;

  constructor(
    private readonly redis: ConcurrencyLimiterRedis,
    options: RedisConcurrencyLimiterOptions = {},
  ) {
    this.namespace = resolveConcurrencyLimiterOptions(options).namespace;
  }

  /** The Redis key (before the client's keyPrefix) holding `key`'s leases. */
  redisKey(key: string): string {
    return `${this.namespace}${key}`;
  }

  /** Takes a slot for `leaseId` for `leaseMs`, or refuses when `limit` live leases exist. */
  async acquire(key: string, limit: number, leaseId: string, leaseMs: Millis): Promise<ConcurrencyDecision> {
    const reply = await this.run(key, encodeConcurrencyArgs('acquire', leaseId, limit, leaseMs));
    return { allowed: reply.ok, active: reply.active, retryAfterMs: reply.ok ? 0 : reply.retryAfterMs };
  }

  /** Frees `leaseId`'s slot; false when it held none (never acquired, released, or expired). */
  async release(key: string, leaseId: string): Promise<boolean> {
    return (await this.run(key, encodeConcurrencyArgs('release', leaseId, 0, 1))).ok;
  }

  /** Renews a live lease to expire `leaseMs` from now; false when it has already expired or was released. */
  async extend(key: string, leaseId: string, leaseMs: Millis): Promise<boolean> {
    return (await this.run(key, encodeConcurrencyArgs('extend', leaseId, 0, leaseMs))).ok;
  }

  /** Live leases (read-only; for metrics and the console). */
  async active(key: string): Promise<number> {
    return (await this.run(key, encodeConcurrencyArgs('active', '', 0, 1))).active;
  }

  private async run(key: string, args: string[]): Promise<ConcurrencyScriptReply> {
    const reply = await runScript(this.redis, SCRIPT, [this.redisKey(key)], args);
    return decodeConcurrencyReply(reply);
  }
}
