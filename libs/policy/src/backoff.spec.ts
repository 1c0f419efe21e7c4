import { backoffCap, backoffDelay, isRetryable, nextRetryDelay, parseRetryAfter, retryDecision, type RetryDecisionInput } from './backoff';

/** Deterministic PRNG (mulberry32) so jitter tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const settings = { base_delay_ms: 100, max_delay_ms: 2_000, jitter: 'full' as const };

describe('backoffCap', () => {
  it('doubles from base per attempt and stops at max', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffCap(a, settings))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('stays finite for huge attempt numbers and is 0 for a zero base', () => {
    expect(backoffCap(10_000, settings)).toBe(2_000);
    expect(backoffCap(3, { base_delay_ms: 0, max_delay_ms: 1_000 })).toBe(0);
  });
});

describe('backoffDelay', () => {
  it('without jitter is the cap', () => {
    expect(backoffDelay(3, { ...settings, jitter: 'none' }, () => 0.5)).toBe(400);
  });

  it('with full jitter stays within [0, cap] over many samples and spreads across the range', () => {
    const random = seeded(42);
    for (const attempt of [1, 2, 3, 4, 5, 8]) {
      const cap = backoffCap(attempt, settings);
      const samples = Array.from({ length: 5_000 }, () => backoffDelay(attempt, settings, random));
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThanOrEqual(cap);
      expect(samples.every(Number.isInteger)).toBe(true);
      const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
      expect(mean).toBeGreaterThan(cap * 0.45);
      expect(mean).toBeLessThan(cap * 0.55);
      expect(Math.min(...samples)).toBeLessThan(cap * 0.05);
      expect(Math.max(...samples)).toBeGreaterThan(cap * 0.95);
    }
  });

  it('reaches both ends and clamps an out-of-range random source', () => {
    expect(backoffDelay(2, settings, () => 0)).toBe(0);
    expect(backoffDelay(2, settings, () => 0.999999999)).toBe(200);
    expect(backoffDelay(2, settings, () => 1)).toBe(200);
    expect(backoffDelay(2, settings, () => 7)).toBe(200);
    expect(backoffDelay(2, settings, () => -1)).toBe(0);
    expect(backoffDelay(2, settings, () => Number.NaN)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3_000);
  });

  it('reads the three HTTP-date forms relative to now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed Jan  1 00:00:30 2025', now)).toBe(30_000);
  });

  it('treats a past date as "now"', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('rejects absent, negative and garbage values', () => {
    for (const value of [undefined, null, '', '   ', '-5', '-0.5', 'soon', '1e3', 'Wed, garbage', '10 seconds', []]) {
      expect(parseRetryAfter(value as string | undefined, now)).toBeUndefined();
    }
  });
});

describe('nextRetryDelay', () => {
  const retry = { ...settings, respect_retry_after: true };

  it('uses the jittered backoff without Retry-After', () => {
    expect(nextRetryDelay({ attempt: 2, retry, random: () => 0.5 })).toBe(100);
  });

  it('takes max(Retry-After, jittered) when respecting Retry-After, even above max_delay_ms', () => {
    expect(nextRetryDelay({ attempt: 2, retry, retryAfterMs: 50, random: () => 0.999 })).toBe(200);
    expect(nextRetryDelay({ attempt: 2, retry, retryAfterMs: 5_000, random: () => 0.999 })).toBe(5_000);
  });

  it('ignores Retry-After when the policy says so', () => {
    expect(nextRetryDelay({ attempt: 2, retry: { ...retry, respect_retry_after: false }, retryAfterMs: 5_000, random: () => 0 })).toBe(0);
  });
});

describe('retryDecision', () => {
  const base: RetryDecisionInput = {
    attempt: 1,
    max_attempts: 3,
    outcome: { kind: 'status', status: 503 },
    retry_on: ['network', 'timeout', 429, 502, 503, 504],
    deadlineAt: 10_000,
    now: 1_000,
    delay: 200,
  };

  it('retries a retryable outcome with the delay', () => {
    expect(retryDecision(base)).toEqual({ retry: true, delayMs: 200, nextAttempt: 2, at: 1_200 });
    expect(retryDecision({ ...base, outcome: { kind: 'network' } }).retry).toBe(true);
    expect(retryDecision({ ...base, outcome: { kind: 'timeout' } }).retry).toBe(true);
  });

  it('stops on outcomes not in retry_on', () => {
    expect(retryDecision({ ...base, outcome: { kind: 'status', status: 500 } })).toEqual({ retry: false, reason: 'not_retryable' });
    expect(retryDecision({ ...base, outcome: { kind: 'timeout' }, retry_on: ['network'] })).toEqual({ retry: false, reason: 'not_retryable' });
    expect(isRetryable({ kind: 'status', status: 429 }, [429])).toBe(true);
  });

  it('stops when attempts are exhausted', () => {
    expect(retryDecision({ ...base, attempt: 3 })).toEqual({ retry: false, reason: 'attempts_exhausted' });
    expect(retryDecision({ ...base, attempt: 1, max_attempts: 1 })).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });

  it('never schedules an attempt at or after the deadline', () => {
    expect(retryDecision({ ...base, now: 9_800, delay: 200 })).toEqual({ retry: false, reason: 'deadline_exceeded' });
    expect(retryDecision({ ...base, now: 9_799, delay: 200 }).retry).toBe(true);
    expect(retryDecision({ ...base, now: 10_500, delay: 0 })).toEqual({ retry: false, reason: 'deadline_exceeded' });
  });

  it('a simulated run with jitter and Retry-After never starts an attempt past the total deadline', () => {
    const random = seeded(7);
    const retry = { ...settings, max_attempts: 50, retry_on: [503], respect_retry_after: true };
    for (let run = 0; run < 200; run++) {
      let now = 0;
      const deadlineAt = 1_000 + Math.floor(random() * 5_000);
      for (let attempt = 1; ; attempt++) {
        expect(now).toBeLessThan(deadlineAt);
        now += Math.floor(random() * 300); // the attempt itself
        const retryAfterMs = random() < 0.3 ? Math.floor(random() * 3_000) : undefined;
        const delay = nextRetryDelay({ attempt, retry, retryAfterMs, random });
        const decision = retryDecision({ attempt, max_attempts: retry.max_attempts, outcome: { kind: 'status', status: 503 }, retry_on: retry.retry_on, deadlineAt, now, delay });
        if (!decision.retry) break;
        now = decision.at;
      }
    }
  });
});
