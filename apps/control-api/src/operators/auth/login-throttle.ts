import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DomainError } from '@orch/contracts';
import { REDIS_CLIENT } from '@orch/platform';

export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;

/**
 * Atomically: refuse when either counter is at its limit (answering the ms left in its window),
 * otherwise count this attempt as a failure up front. Counting before the password check means
 * a burst of parallel guesses cannot all slip under the limit; a success takes it back.
 * The window is fixed from the first failure (EXPIRE … NX), so blocked attempts do not extend it.
 */
const RESERVE_SCRIPT = `
local account = tonumber(redis.call('GET', KEYS[1]) or '0')
if account >= tonumber(ARGV[1]) then return redis.call('PTTL', KEYS[1]) end
local ip = tonumber(redis.call('GET', KEYS[2]) or '0')
if ip >= tonumber(ARGV[2]) then return redis.call('PTTL', KEYS[2]) end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3], 'NX')
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
return 0
`;

/** Takes back the up-front count of a successful attempt: the account starts over, the IP loses one. */
const SUCCEEDED_SCRIPT = `
redis.call('DEL', KEYS[1])
local ip = tonumber(redis.call('GET', KEYS[2]) or '0')
if ip > 0 then redis.call('DECR', KEYS[2]) end
return 0
`;

/** Failed-login counters per account and per client IP, in Redis (shared by every replica). */
@Injectable()
export class LoginThrottle {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /** Throws 429 RATE_LIMITED with Retry-After while the account or the IP is over its limit. */
  async reserveAttempt(email: string, ip: string | null): Promise<void> {
    const blockedForMs = Number(
      await this.redis.eval(RESERVE_SCRIPT, 2, accountKey(email), ipKey(ip), MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP, LOGIN_FAILURE_WINDOW_SECONDS),
    );
    if (blockedForMs !== 0) {
      // PTTL is -1 only if a key lost its expiry somehow; answer a full window then.
      const retryAfter = blockedForMs > 0 ? Math.ceil(blockedForMs / 1000) : LOGIN_FAILURE_WINDOW_SECONDS;
      throw new DomainError('RATE_LIMITED', 'Too many failed sign-in attempts; try again later', {
        details: { retry_after_seconds: retryAfter },
        headers: { 'retry-after': String(retryAfter) },
      });
    }
  }

  async succeeded(email: string, ip: string | null): Promise<void> {
    await this.redis.eval(SUCCEEDED_SCRIPT, 2, accountKey(email), ipKey(ip));
  }
}

function accountKey(email: string): string {
  return `auth:login-fail:acct:${email.trim().toLowerCase()}`;
}

function ipKey(ip: string | null): string {
  return `auth:login-fail:ip:${ip ?? 'unknown'}`;
}
