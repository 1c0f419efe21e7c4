import type { JitterMode, Millis, RandomSource, RetryCondition, RetrySettings } from './types';

export interface BackoffSettings {
  base_delay_ms: number;
  max_delay_ms: number;
  jitter: JitterMode;
}

/** Exponent cap: 2^52 already exceeds any sane max_delay_ms, and keeps the product finite. */
const MAX_EXPONENT = 52;

/**
 * The backoff ceiling before attempt `attempt + 1`, where `attempt` (1-based) is the attempt that
 * just failed: `base * 2^(attempt-1)`, capped at `max_delay_ms`.
 */
export function backoffCap(attempt: number, settings: Pick<BackoffSettings, 'base_delay_ms' | 'max_delay_ms'>): Millis {
  const base = Math.max(0, settings.base_delay_ms);
  const max = Math.max(0, settings.max_delay_ms);
  if (base === 0) return 0;
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt) - 1));
  return Math.min(max, base * 2 ** exponent);
}

/**
 * Delay before the next attempt. `jitter: 'none'` → the cap itself; `'full'` → uniform integer
 * in [0, cap] ("full jitter", AWS architecture blog), drawn from the injected `random`.
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: RandomSource): Millis {
  const cap = backoffCap(attempt, settings);
  if (settings.jitter === 'none') return cap;
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
  return Math.min(cap, Math.floor(unit * (cap + 1)));
}

const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;
/** IMF-fixdate, obsolete RFC 850 and asctime forms all start with a day name (RFC 9110 §5.6.7). */
const HTTP_DATE = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;
const HAS_ZONE = /\b(?:gmt|utc)\b|[+-]\d{4}$/i;

/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds from `now`: delay-seconds (fractions accepted
 * and rounded up to whole ms) or an HTTP-date (a date already past → 0, i.e. "retry now").
 * Absent, negative or unparseable values → undefined. A repeated header uses its first value.
 */
export function parseRetryAfter(header: string | readonly string[] | null | undefined, now: Millis): Millis | undefined {
  const raw = typeof header === 'string' ? header : header?.[0];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  if (DELAY_SECONDS.test(value)) {
    const ms = Math.ceil(Number(value) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (!HTTP_DATE.test(value)) return undefined;
  // asctime carries no zone; HTTP dates are always GMT.
  const at = Date.parse(HAS_ZONE.test(value) ? value : `${value} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export interface NextRetryDelayInput {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  retry: Pick<RetrySettings, 'base_delay_ms' | 'max_delay_ms' | 'jitter' | 'respect_retry_after'>;
  /** Parsed `Retry-After` of the failed attempt's response, if any (see parseRetryAfter). */
  retryAfterMs?: Millis;
  random: RandomSource;
}

/**
 * Delay before the next attempt: the jittered backoff, or — when `respect_retry_after` and the
 * upstream sent `Retry-After` — `max(retryAfter, jittered)`. The upstream's value is a floor (we
 * never come back earlier than asked) and is not capped by `max_delay_ms`; whether waiting that
 * long is allowed at all is `retryDecision`'s deadline check. `max` rather than `retryAfter +
 * jittered` keeps the wait as short as the server allows.
 */
export function nextRetryDelay(input: NextRetryDelayInput): Millis {
  const jittered = backoffDelay(input.attempt, input.retry, input.random);
  if (!input.retry.respect_retry_after || input.retryAfterMs === undefined) return jittered;
  return Math.max(Math.max(0, input.retryAfterMs), jittered);
}

/** How one attempt failed, as the retry policy classifies it. */
export type AttemptOutcome = { kind: 'network' } | { kind: 'timeout' } | { kind: 'status'; status: number };

/** Whether `retry_on` lists this outcome's class or status. */
export function isRetryable(outcome: AttemptOutcome, retryOn: readonly RetryCondition[]): boolean {
  return outcome.kind === 'status' ? retryOn.includes(outcome.status) : retryOn.includes(outcome.kind);
}

export interface RetryDecisionInput {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  max_attempts: number;
  outcome: AttemptOutcome;
  retry_on: readonly RetryCondition[];
  /** Absolute end of the total budget (Deadline.deadlineAt). */
  deadlineAt: Millis;
  now: Millis;
  /** The delay the next attempt would wait (nextRetryDelay). */
  delay: Millis;
}

export type RetryStopReason = 'not_retryable' | 'attempts_exhausted' | 'deadline_exceeded';

export type RetryDecision =
  | { retry: true; delayMs: Millis; nextAttempt: number; at: Millis }
  | { retry: false; reason: RetryStopReason };

/**
 * Retry or stop, checked in this order: the outcome is not in `retry_on` → `not_retryable`;
 * `attempt >= max_attempts` → `attempts_exhausted`; the next attempt would not *start* strictly
 * before the total deadline (`now + delay >= deadlineAt`) → `deadline_exceeded`. So no attempt
 * ever starts at or after the deadline.
 */
export function retryDecision(input: RetryDecisionInput): RetryDecision {
  if (!isRetryable(input.outcome, input.retry_on)) return { retry: false, reason: 'not_retryable' };
  if (input.attempt >= input.max_attempts) return { retry: false, reason: 'attempts_exhausted' };
  const delayMs = Math.max(0, input.delay);
  const at = input.now + delayMs;
  if (at >= input.deadlineAt) return { retry: false, reason: 'deadline_exceeded' };
  return { retry: true, delayMs, nextAttempt: input.attempt + 1, at };
}
