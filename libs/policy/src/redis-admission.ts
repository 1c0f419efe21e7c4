import type { Redis } from 'ioredis';
import type { BreakerOutcome, BreakerPermit, BreakerStatus, BreakerTransition } from './circuit-breaker';
import { LUA_COMMON, defineScript, luaScript, runScript } from './lua/common';
import { CIRCUIT_BREAKER_LUA, decodeBreakerReply, encodeBreakerArgs, resolveBreakerStoreOptions, type RedisCircuitBreakerStoreOptions } from './redis-circuit-breaker';
import {
  CONCURRENCY_LIMITER_LUA,
  decodeConcurrencyReply,
  encodeConcurrencyArgs,
  resolveConcurrencyLimiterOptions,
  type RedisConcurrencyLimiterOptions,
} from './redis-concurrency-limiter';
import { TOKEN_BUCKET_LUA, decodeTokenBucketReply, encodeTokenBucketArgs, resolveTokenBucketOptions, type RedisTokenBucketOptions } from './redis-token-bucket';
import type { RateLimitDecision } from './token-bucket';
import type { CircuitBreakerSettings, Millis, RateLimitSettings } from './types';

/*
 * Argument blocks (each exactly what the standalone script reads, at an offset):
 *   bucket   4 values  capacity, refill_per_sec, n, idle TTL ms           (encodeTokenBucketArgs)
 *   lease    4 values  mode, lease id, limit, lease ms                    (encodeConcurrencyArgs)
 *   breaker 11 values  mode, settings…, buckets, grace, now override, …  (encodeBreakerArgs)
 * Replies are the standalone replies concatenated: bucket 4, lease 3, breaker 11 + 3 per transition.
 */
const BUCKET_REPLY = 4;
const LEASE_REPLY = 3;
const BREAKER_REPLY_HEAD = 11;

/**
 * KEYS: 1 rps bucket, 2 lease set, 3 rate-limit bucket, 4 breaker.
 * ARGV: rps bucket block (1..4), lease `acquire` block (5..8), rate-limit bucket block (9..12),
 * breaker `acquire` block (13..23).
 * Reply: reason (admitted | quota_rps | quota_concurrency | rate_limited | circuit_open), then the
 * reply of every step that ran, in order. A refusal stops there; after the lease was taken, a
 * rate-limit or breaker refusal releases it. Tokens already taken are not refunded.
 */
export const ADMIT_SCRIPT = luaScript(
  LUA_COMMON,
  TOKEN_BUCKET_LUA,
  CONCURRENCY_LIMITER_LUA,
  CIRCUIT_BREAKER_LUA,
  `
local now_exact, now_ms = redis_clock()
local reply = {}
local function add(part) for _, v in ipairs(part) do table.insert(reply, v) end end
local function done(reason)
  table.insert(reply, 1, reason)
  return reply
end
local quota = bucket_take_args(KEYS[1], ARGV, 1, now_exact)
add(quota)
if quota[1] ~= 1 then return done('quota_rps') end
local lease = lease_run(KEYS[2], ARGV, 5, now_ms)
add(lease)
if lease[1] ~= 1 then return done('quota_concurrency') end
local rate = bucket_take_args(KEYS[3], ARGV, 9, now_exact)
add(rate)
if rate[1] ~= 1 then
  lease_release(KEYS[2], ARGV[6], now_ms)
  return done('rate_limited')
end
local breaker = breaker_run(KEYS[4], ARGV, 13, now_ms)
add(breaker)
if breaker[3] ~= 'allowed' then
  lease_release(KEYS[2], ARGV[6], now_ms)
  return done('circuit_open')
end
return done('admitted')
`,
);

/**
 * KEYS: 1 lease set, 2 breaker (only with a breaker outcome).
 * ARGV: lease `release` block (1..4), then the breaker `record` block (5..15) when KEYS[2] is given.
 * Runs the breaker record first, then the release. Reply: released 0|1, then the breaker reply.
 */
export const FINISH_SCRIPT = luaScript(
  LUA_COMMON,
  CONCURRENCY_LIMITER_LUA,
  CIRCUIT_BREAKER_LUA,
  `
local _, now_ms = redis_clock()
local breaker = {}
if #KEYS > 1 then breaker = breaker_run(KEYS[2], ARGV, 5, now_ms) end
local reply = {lease_release(KEYS[1], ARGV[2], now_ms)}
for _, v in ipairs(breaker) do table.insert(reply, v) end
return reply
`,
);

const ADMIT = defineScript(ADMIT_SCRIPT);
const FINISH = defineScript(FINISH_SCRIPT);

/** The part of an ioredis client `RedisAdmission` uses (a `Redis`; tests may pass a fake). */
export type AdmissionRedis = Pick<Redis, 'evalsha' | 'eval'>;

export interface AdmitInput {
  /** Workspace requests per second: a bucket with capacity = refill = `rps`. */
  quota: { key: string; rps: number };
  /** Workspace concurrency: a lease `leaseId` for `leaseMs` among at most `limit`. */
  lease: { key: string; limit: number; leaseId: string; leaseMs: Millis };
  /** The operation's token bucket. */
  rateLimit: { key: string; settings: RateLimitSettings };
  /** The connector's breaker. */
  breaker: { key: string; settings: CircuitBreakerSettings };
}

export type AdmitRefusalReason = 'quota_rps' | 'quota_concurrency' | 'rate_limited' | 'circuit_open';

export interface AdmitAllowed {
  admitted: true;
  rateLimit: RateLimitDecision;
  permit: BreakerPermit;
  status: BreakerStatus;
  transitions: BreakerTransition[];
}

export type AdmitRefused =
  /** `retryAfterMs`: Infinity when the bucket can never refill (rps 0). */
  | { admitted: false; reason: 'quota_rps'; retryAfterMs: Millis }
  /** `retryAfterMs`: until the earliest live lease expires (upper bound); Infinity when limit < 1. */
  | { admitted: false; reason: 'quota_concurrency'; retryAfterMs: Millis }
  | { admitted: false; reason: 'rate_limited'; rateLimit: RateLimitDecision }
  | { admitted: false; reason: 'circuit_open'; retryAfterMs: Millis; rateLimit: RateLimitDecision; status: BreakerStatus; transitions: BreakerTransition[] };

export type AdmitResult = AdmitAllowed | AdmitRefused;

export interface FinishInput {
  /** Omitted when the call says nothing about the upstream (e.g. it never left): lease release only. */
  breaker?: { key: string; settings: CircuitBreakerSettings; outcome: BreakerOutcome; permit: BreakerPermit };
  lease: { key: string; leaseId: string };
}

export interface FinishResult {
  /** Transitions caused by the breaker record (empty without a breaker). */
  transitions: BreakerTransition[];
  /** The breaker's status after the record; undefined without a breaker. */
  status: BreakerStatus | undefined;
  /** Whether a live lease was removed (false: never taken, already released or expired). */
  released: boolean;
}

export interface RedisAdmissionOptions {
  /** Same options as the `RedisTokenBucket` used for the rps and rate-limit buckets. */
  buckets?: RedisTokenBucketOptions;
  /** Same options as the `RedisConcurrencyLimiter` of the workspace leases. */
  concurrency?: RedisConcurrencyLimiterOptions;
  /** Same options as the `RedisCircuitBreakerStore`; its `nowOverride` (tests only) applies to the breaker step. */
  breakers?: RedisCircuitBreakerStoreOptions;
}

export interface ResolvedAdmissionOptions {
  bucketNamespace: string;
  bucketIdleTtlMs: number;
  concurrencyNamespace: string;
  breakerNamespace: string;
  breakerBuckets: number;
  breakerIdleGraceMs: number;
  nowOverride: (() => Millis) | undefined;
}

/** Options with the standalone classes' defaults, so the same caller key names the same Redis key. */
export function resolveAdmissionOptions(options: RedisAdmissionOptions = {}): ResolvedAdmissionOptions {
  const buckets = resolveTokenBucketOptions(options.buckets);
  const breakers = resolveBreakerStoreOptions(options.breakers);
  return {
    bucketNamespace: buckets.namespace,
    bucketIdleTtlMs: buckets.idleTtlMs,
    concurrencyNamespace: resolveConcurrencyLimiterOptions(options.concurrency).namespace,
    breakerNamespace: breakers.namespace,
    breakerBuckets: breakers.buckets,
    breakerIdleGraceMs: breakers.idleGraceMs,
    nowOverride: breakers.nowOverride,
  };
}

export interface ScriptCall {
  keys: string[];
  args: string[];
}

/** KEYS and ARGV of `ADMIT_SCRIPT`; `nowMs` is the breaker's now override (tests only). */
export function encodeAdmitArgs(input: AdmitInput, options: ResolvedAdmissionOptions, nowMs?: Millis): ScriptCall {
  const rps = { capacity: input.quota.rps, refill_per_sec: input.quota.rps };
  return {
    keys: [
      `${options.bucketNamespace}${input.quota.key}`,
      `${options.concurrencyNamespace}${input.lease.key}`,
      `${options.bucketNamespace}${input.rateLimit.key}`,
      `${options.breakerNamespace}${input.breaker.key}`,
    ],
    args: [
      ...encodeTokenBucketArgs(rps, 1, options.bucketIdleTtlMs),
      ...encodeConcurrencyArgs('acquire', input.lease.leaseId, input.lease.limit, input.lease.leaseMs),
      ...encodeTokenBucketArgs(input.rateLimit.settings, 1, options.bucketIdleTtlMs),
      ...encodeBreakerArgs({ mode: 'acquire', settings: input.breaker.settings, buckets: options.breakerBuckets, idleGraceMs: options.breakerIdleGraceMs, nowMs }),
    ],
  };
}

/** KEYS and ARGV of `FINISH_SCRIPT`. */
export function encodeFinishArgs(input: FinishInput, options: ResolvedAdmissionOptions, nowMs?: Millis): ScriptCall {
  const keys = [`${options.concurrencyNamespace}${input.lease.key}`];
  const args = encodeConcurrencyArgs('release', input.lease.leaseId, 0, 1);
  const { breaker } = input;
  if (breaker !== undefined) {
    keys.push(`${options.breakerNamespace}${breaker.key}`);
    args.push(
      ...encodeBreakerArgs({
        mode: 'record',
        settings: breaker.settings,
        buckets: options.breakerBuckets,
        idleGraceMs: options.breakerIdleGraceMs,
        nowMs,
        outcome: breaker.outcome,
        permit: breaker.permit,
      }),
    );
  }
  return { keys, args };
}

function malformed(detail: string): Error {
  return new Error(`admission script: ${detail}`);
}

/** Parses `ADMIT_SCRIPT`'s reply; `rateLimitCapacity` is the operation bucket's capacity (RateLimit-Limit). */
export function decodeAdmitReply(reply: unknown, rateLimitCapacity: number): AdmitResult {
  if (!Array.isArray(reply) || reply.length < 1 + BUCKET_REPLY) throw malformed('unexpected reply');
  const fields: unknown[] = reply;
  const reason = String(fields[0]);
  let at = 1;
  const next = (length: number): unknown[] => {
    const part = fields.slice(at, at + length);
    at += length;
    return part;
  };
  const expectEnd = (): void => {
    if (at !== fields.length) throw malformed(`unexpected reply length for ${reason}`);
  };
  const quota = decodeTokenBucketReply(next(BUCKET_REPLY), 0);
  if (reason === 'quota_rps') {
    expectEnd();
    if (quota.allowed) throw malformed('quota_rps with an allowed take');
    return { admitted: false, reason, retryAfterMs: quota.retryAfterMs };
  }
  if (!quota.allowed) throw malformed(`${reason} after a refused rps take`);
  if (fields.length < at + LEASE_REPLY) throw malformed('unexpected reply');
  const lease = decodeConcurrencyReply(next(LEASE_REPLY));
  if (reason === 'quota_concurrency') {
    expectEnd();
    if (lease.ok) throw malformed('quota_concurrency with a granted lease');
    return { admitted: false, reason, retryAfterMs: lease.retryAfterMs };
  }
  if (!lease.ok) throw malformed(`${reason} after a refused lease`);
  if (fields.length < at + BUCKET_REPLY) throw malformed('unexpected reply');
  const rateLimit = decodeTokenBucketReply(next(BUCKET_REPLY), Math.max(0, rateLimitCapacity));
  if (reason === 'rate_limited') {
    expectEnd();
    if (rateLimit.allowed) throw malformed('rate_limited with an allowed take');
    return { admitted: false, reason, rateLimit };
  }
  if (!rateLimit.allowed) throw malformed(`${reason} after a refused rate-limit take`);
  if (reason !== 'admitted' && reason !== 'circuit_open') throw malformed(`unexpected reason ${reason}`);
  const breaker = decodeBreakerReply(next(fields.length - at));
  const admission = breaker.admission;
  if (admission === undefined) throw malformed('breaker step without admission');
  if (reason === 'circuit_open') {
    if (admission.allowed) throw malformed('circuit_open with an allowed breaker');
    return { admitted: false, reason, retryAfterMs: admission.retryAfterMs, rateLimit, status: breaker.view.status, transitions: breaker.transitions };
  }
  if (!admission.allowed) throw malformed('admitted with a refused breaker');
  return { admitted: true, rateLimit, permit: admission.permit, status: breaker.view.status, transitions: breaker.transitions };
}

/** Parses `FINISH_SCRIPT`'s reply; `withBreaker`: whether a breaker record was sent. */
export function decodeFinishReply(reply: unknown, withBreaker: boolean): FinishResult {
  if (!Array.isArray(reply) || reply.length < 1) throw malformed('unexpected finish reply');
  const fields: unknown[] = reply;
  const released = Number(fields[0]);
  if (released !== 0 && released !== 1) throw malformed('finish: released is not 0|1');
  if (!withBreaker) {
    if (fields.length !== 1) throw malformed('unexpected finish reply length');
    return { transitions: [], status: undefined, released: released === 1 };
  }
  if (fields.length < 1 + BREAKER_REPLY_HEAD) throw malformed('finish without breaker reply');
  const breaker = decodeBreakerReply(fields.slice(1));
  if (breaker.admission !== undefined) throw malformed('finish: breaker record with an admission');
  return { transitions: breaker.transitions, status: breaker.view.status, released: released === 1 };
}

/**
 * The admission checks of one execution in one Redis round trip (`admit`) and its bookkeeping
 * afterwards in another (`finish`), instead of up to six sequential script calls. Each step runs
 * the very Lua function the standalone classes run (`RedisTokenBucket`, `RedisConcurrencyLimiter`,
 * `RedisCircuitBreakerStore`), on the same Redis keys for the same caller keys and options, so
 * standalone calls (e.g. a retry's breaker acquire) and combined calls share state.
 *
 * Redis Cluster: the four keys of `admit` (two of `finish`) must hash to one slot, i.e. share a
 * hash tag such as `{<workspaceId>}` in every caller key; we run a single Redis (or Sentinel), where
 * any keys work. Keys are passed as KEYS, never built inside the script.
 */
export class RedisAdmission {
  private readonly options: ResolvedAdmissionOptions;

  constructor(
    private readonly redis: AdmissionRedis,
    options: RedisAdmissionOptions = {},
  ) {
    this.options = resolveAdmissionOptions(options);
  }

  /**
   * In one script, stopping at the first refusal: (1) workspace rps bucket, (2) concurrency lease,
   * (3) operation rate-limit bucket — a refusal releases the lease of (2), (4) breaker acquire — a
   * refusal releases the lease. Tokens taken in (1)/(3) are not refunded on a later refusal.
   * Admitted: the caller holds the lease and the breaker permit; hand both to `finish`.
   */
  async admit(input: AdmitInput): Promise<AdmitResult> {
    const call = encodeAdmitArgs(input, this.options, this.options.nowOverride?.());
    const reply = await runScript(this.redis, ADMIT, call.keys, call.args);
    return decodeAdmitReply(reply, input.rateLimit.settings.capacity);
  }

  /** Records the breaker outcome (when given), then releases the lease — one script. */
  async finish(input: FinishInput): Promise<FinishResult> {
    const call = encodeFinishArgs(input, this.options, input.breaker === undefined ? undefined : this.options.nowOverride?.());
    const reply = await runScript(this.redis, FINISH, call.keys, call.args);
    return decodeFinishReply(reply, input.breaker !== undefined);
  }
}
