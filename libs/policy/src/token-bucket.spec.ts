import { rateLimitHeaders, take, type TokenBucketState } from './token-bucket';

const settings = { capacity: 10, refill_per_sec: 5 };

describe('take', () => {
  it('starts full and drains one token per take', () => {
    let state: TokenBucketState | undefined;
    for (let i = 9; i >= 0; i--) {
      const r = take(state, settings, 0);
      expect(r).toMatchObject({ allowed: true, remaining: i, limit: 10, retryAfterMs: 0 });
      state = r.state;
    }
    const refused = take(state, settings, 0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 200, resetMs: 2_000 });
    expect(refused.state.tokens).toBe(0);
  });

  it('refills at refill_per_sec, capped at capacity', () => {
    const empty = { tokens: 0, updatedAt: 1_000 };
    expect(take(empty, settings, 1_199).allowed).toBe(false);
    expect(take(empty, settings, 1_199).retryAfterMs).toBe(1);
    expect(take(empty, settings, 1_200)).toMatchObject({ allowed: true, remaining: 0 });
    expect(take(empty, settings, 2_000)).toMatchObject({ allowed: true, remaining: 4, resetMs: 1_200 });
    expect(take(empty, settings, 60_000)).toMatchObject({ allowed: true, remaining: 9 });
    expect(take(empty, settings, 60_000, 0)).toMatchObject({ allowed: true, remaining: 10, resetMs: 0 });
  });

  it('is all-or-nothing for n tokens', () => {
    const r = take({ tokens: 3, updatedAt: 0 }, settings, 0, 5);
    expect(r).toMatchObject({ allowed: false, remaining: 3, retryAfterMs: 400 });
    expect(r.state.tokens).toBe(3);
  });

  it('reports Infinity when waiting cannot help', () => {
    expect(take({ tokens: 0, updatedAt: 0 }, { capacity: 5, refill_per_sec: 0 }, 10)).toMatchObject({ allowed: false, retryAfterMs: Infinity, resetMs: Infinity });
    expect(take(undefined, settings, 0, 11).retryAfterMs).toBe(Infinity);
  });

  it('refills nothing when the clock goes backwards, and clamps to a lowered capacity', () => {
    const r = take({ tokens: 2, updatedAt: 5_000 }, settings, 4_000);
    expect(r).toMatchObject({ allowed: true, remaining: 1 });
    expect(r.state.updatedAt).toBe(5_000);
    expect(take({ tokens: 50, updatedAt: 0 }, settings, 0).remaining).toBe(9);
  });
});

describe('rateLimitHeaders', () => {
  it('gives RateLimit-* always and Retry-After only when refused', () => {
    expect(rateLimitHeaders({ allowed: true, limit: 10, remaining: 4, retryAfterMs: 0, resetMs: 1_200 })).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '4',
      'RateLimit-Reset': '2',
    });
    expect(rateLimitHeaders({ allowed: false, limit: 10, remaining: 0, retryAfterMs: 150, resetMs: 2_000 })).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '2',
      'Retry-After': '1',
    });
    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, retryAfterMs: Infinity, resetMs: Infinity })).toEqual({
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '0',
    });
  });
});
