import type { Millis, RateLimitSettings } from './types';

/** A bucket's stored state: fractional tokens as of `updatedAt`. Plain and serialisable. */
export interface TokenBucketState {
  tokens: number;
  updatedAt: Millis;
}

/** What a rate-limited response needs for `RateLimit-*` and `Retry-After`. */
export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket's capacity (RateLimit-Limit). */
  limit: number;
  /** Whole tokens left after this take (RateLimit-Remaining). */
  remaining: number;
  /** 0 when allowed; otherwise ms until `n` tokens are available; Infinity if refill can never get there. */
  retryAfterMs: Millis;
  /** ms until the bucket is full again (RateLimit-Reset); 0 when full; Infinity if it never refills. */
  resetMs: Millis;
}

export interface TakeResult extends RateLimitDecision {
  state: TokenBucketState;
}

/**
 * Refills the bucket for the time since `updatedAt` (`refill_per_sec` tokens per second, capped
 * at `capacity`; an absent state is a full bucket; a clock that went backwards refills nothing),
 * then takes `n` tokens if that many are there. All or nothing: a refused take consumes nothing.
 * `n = 0` only reports.
 */
export function take(state: TokenBucketState | undefined, settings: RateLimitSettings, now: Millis, n = 1): TakeResult {
  const capacity = Math.max(0, settings.capacity);
  const refill = Math.max(0, settings.refill_per_sec);
  const updatedAt = state?.updatedAt ?? now;
  const at = Math.max(now, updatedAt);
  const stored = state === undefined ? capacity : Math.min(capacity, state.tokens);
  let tokens = Math.min(capacity, stored + ((at - updatedAt) * refill) / 1000);

  const allowed = tokens >= n;
  let retryAfterMs = 0;
  if (allowed) tokens -= n;
  else retryAfterMs = refill > 0 && n <= capacity ? ceilMs(((n - tokens) * 1000) / refill) : Number.POSITIVE_INFINITY;

  return {
    allowed,
    limit: capacity,
    remaining: Math.floor(tokens),
    retryAfterMs,
    resetMs: msUntilFull(tokens, capacity, refill),
    state: { tokens, updatedAt: at },
  };
}

function msUntilFull(tokens: number, capacity: number, refill: number): Millis {
  if (tokens >= capacity) return 0;
  return refill > 0 ? ceilMs(((capacity - tokens) * 1000) / refill) : Number.POSITIVE_INFINITY;
}

/**
 * Response headers for a decision: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
 * (seconds, rounded up; left out if the bucket never refills) and, when refused, `Retry-After`
 * (whole seconds, at least 1; left out if waiting cannot help).
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
  };
  if (Number.isFinite(decision.resetMs)) headers['RateLimit-Reset'] = String(Math.ceil(decision.resetMs / 1000));
  if (!decision.allowed && Number.isFinite(decision.retryAfterMs)) headers['Retry-After'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}

/** Rounds up to whole ms, ignoring float noise (0.995 tokens at 5/s is 1 ms away, not 1.0000000000000009). */
function ceilMs(ms: number): number {
  return Math.ceil(ms - 1e-6);
}
