import { clearTestKeys, testClient } from './e2e/test-redis';
import type { BreakerOutcome, BreakerPermit } from './circuit-breaker';
import { RedisAdmission, type AdmissionRedis, type AdmitInput, type AdmitResult } from './redis-admission';
import { RedisCircuitBreakerStore } from './redis-circuit-breaker';
import { RedisConcurrencyLimiter } from './redis-concurrency-limiter';
import { RedisTokenBucket } from './redis-token-bucket';
import type { CircuitBreakerSettings, RateLimitSettings } from './types';

const client = testClient;

/** Deterministic pseudo-random source (mulberry32), so a failing equivalence run can be replayed. */
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

const breakerSettings: CircuitBreakerSettings = { window_ms: 10_000, min_requests: 2, failure_rate_threshold: 0.5, open_ms: 5_000, half_open_probes: 1 };
const roomy: RateLimitSettings = { capacity: 1_000, refill_per_sec: 0 };

describe('RedisAdmission against Redis', () => {
  const clients = [client(), client(), client(), client()] as const;
  const admissions = clients.map((c) => new RedisAdmission(c));
  const admission = (i: number): RedisAdmission => admissions[i % admissions.length] as RedisAdmission;
  const limiter = new RedisConcurrencyLimiter(clients[0]);
  const store = new RedisCircuitBreakerStore(clients[0]);
  const buckets = new RedisTokenBucket(clients[0]);
  let seq = 0;

  /** Fresh caller keys per test, shaped like the execution layer's. */
  function keys(): { ws: string; quota: string; lease: string; rate: string; breaker: string } {
    const ws = `ws${seq++}`;
    return { ws, quota: `quota:rps:${ws}`, lease: `quota:concurrency:${ws}`, rate: `ratelimit:${ws}:conn:op`, breaker: `${ws}:conn` };
  }

  function input(k: ReturnType<typeof keys>, leaseId: string, over: { rps?: number; limit?: number; leaseMs?: number; rate?: RateLimitSettings; breaker?: CircuitBreakerSettings } = {}): AdmitInput {
    return {
      quota: { key: k.quota, rps: over.rps ?? 10_000 },
      lease: { key: k.lease, limit: over.limit ?? 1_000, leaseId, leaseMs: over.leaseMs ?? 30_000 },
      rateLimit: { key: k.rate, settings: over.rate ?? roomy },
      breaker: { key: k.breaker, settings: over.breaker ?? breakerSettings },
    };
  }

  async function openBreaker(key: string, settings: CircuitBreakerSettings): Promise<void> {
    for (let i = 0; i < settings.min_requests; i++) {
      const acquired = await store.acquire(key, settings);
      if (!acquired.admission.allowed) throw new Error('breaker already open');
      await store.record(key, settings, 'failure', acquired.admission.permit);
    }
    expect((await store.state(key, settings)).status).toBe('open');
  }

  afterAll(async () => clearTestKeys(clients));

  describe('admit', () => {
    it('admits with the rate-limit decision, a breaker permit, and writes the standalone classes’ keys', async () => {
      const k = keys();
      const result = await admission(0).admit(input(k, 'exec-1', { rate: { capacity: 5, refill_per_sec: 0 } }));
      expect(result).toEqual({ admitted: true, rateLimit: { allowed: true, limit: 5, remaining: 4, retryAfterMs: 0, resetMs: Infinity }, permit: { generation: 0, probe: false }, status: 'closed', transitions: [] });
      expect(await limiter.active(k.lease)).toBe(1);
      expect(await clients[0].exists(buckets.redisKey(k.quota), buckets.redisKey(k.rate), limiter.redisKey(k.lease))).toBe(3);
      expect(buckets.redisKey(k.quota)).toBe(`policy:bucket:${k.quota}`);
      expect(limiter.redisKey(k.lease)).toBe(`policy:concurrency:${k.lease}`);
      // The same bucket, read by the standalone class: one token gone.
      expect((await buckets.take(k.rate, { capacity: 5, refill_per_sec: 0 }, 0)).remaining).toBe(4);
    });

    it('refuses on the workspace rps quota first, with the time until a token is back', async () => {
      const k = keys();
      const results: AdmitResult[] = [];
      for (let i = 0; i < 3; i++) results.push(await admission(i).admit(input(k, `exec-${i}`, { rps: 2 })));
      expect(results.map((r) => r.admitted)).toEqual([true, true, false]);
      const refused = results[2];
      if (refused === undefined || refused.admitted || refused.reason !== 'quota_rps') throw new Error(`expected quota_rps, got ${JSON.stringify(refused)}`);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(500);
      // Nothing after the rps bucket ran: no third lease, no third rate-limit token.
      expect(await limiter.active(k.lease)).toBe(2);
      expect((await buckets.take(k.rate, roomy, 0)).remaining).toBe(998);
      // rps 0 never refills.
      expect(await admission(0).admit(input(keys(), 'exec-x', { rps: 0 }))).toEqual({ admitted: false, reason: 'quota_rps', retryAfterMs: Infinity });
    });

    it('refuses on the concurrency quota with the time until the earliest lease expires', async () => {
      const k = keys();
      expect((await admission(0).admit(input(k, 'exec-1', { limit: 1, leaseMs: 2_000 }))).admitted).toBe(true);
      const refused = await admission(1).admit(input(k, 'exec-2', { limit: 1, leaseMs: 2_000 }));
      if (refused.admitted || refused.reason !== 'quota_concurrency') throw new Error(`expected quota_concurrency, got ${JSON.stringify(refused)}`);
      expect(refused.retryAfterMs).toBeGreaterThan(1_500);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(2_000);
      // The rate-limit bucket was not touched by the refused call.
      expect((await buckets.take(k.rate, roomy, 0)).remaining).toBe(999);
      expect(await admission(0).admit(input(keys(), 'exec-x', { limit: 0 }))).toEqual({ admitted: false, reason: 'quota_concurrency', retryAfterMs: Infinity });
    });

    it('refuses on the rate limit and releases the lease it took', async () => {
      const k = keys();
      const rate = { capacity: 1, refill_per_sec: 2 };
      expect((await admission(0).admit(input(k, 'exec-1', { rate }))).admitted).toBe(true);
      const refused = await admission(1).admit(input(k, 'exec-2', { rate }));
      if (refused.admitted || refused.reason !== 'rate_limited') throw new Error(`expected rate_limited, got ${JSON.stringify(refused)}`);
      expect(refused.rateLimit.allowed).toBe(false);
      expect(refused.rateLimit.limit).toBe(1);
      expect(refused.rateLimit.remaining).toBe(0);
      expect(refused.rateLimit.retryAfterMs).toBeGreaterThan(0);
      expect(refused.rateLimit.retryAfterMs).toBeLessThanOrEqual(500);
      // Only exec-1's lease is live: exec-2's was released inside the script.
      expect(await limiter.active(k.lease)).toBe(1);
      expect(await limiter.release(k.lease, 'exec-2')).toBe(false);
      const never = await admission(2).admit(input(keys(), 'exec-3', { rate: { capacity: 0, refill_per_sec: 0 } }));
      expect(never).toMatchObject({ admitted: false, reason: 'rate_limited', rateLimit: { limit: 0, retryAfterMs: Infinity, resetMs: 0 } });
    });

    it('refuses on an open breaker (opened through RedisCircuitBreakerStore.record), releases the lease and keeps the spent tokens', async () => {
      const k = keys();
      await openBreaker(k.breaker, breakerSettings);
      const rate = { capacity: 3, refill_per_sec: 0 };
      const refused = await admission(0).admit(input(k, 'exec-1', { rate }));
      if (refused.admitted || refused.reason !== 'circuit_open') throw new Error(`expected circuit_open, got ${JSON.stringify(refused)}`);
      expect(refused.retryAfterMs).toBeGreaterThan(4_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(5_000);
      expect(refused.status).toBe('open');
      expect(refused.transitions).toEqual([]);
      expect(refused.rateLimit).toEqual({ allowed: true, limit: 3, remaining: 2, retryAfterMs: 0, resetMs: Infinity });
      expect(await limiter.active(k.lease)).toBe(0);
      // Tokens taken before the refusal are not refunded (as with the sequential calls).
      expect((await buckets.take(k.rate, rate, 0)).remaining).toBe(2);
    });

    it('allows exactly the rate-limit capacity out of 200 concurrent admits from 4 clients, releasing the other leases', async () => {
      const k = keys();
      const rate = { capacity: 50, refill_per_sec: 0 };
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => admission(i).admit(input(k, `exec-${i}`, { rate }))));
      expect(results.filter((r) => r.admitted)).toHaveLength(50);
      expect(results.filter((r) => !r.admitted && r.reason === 'rate_limited')).toHaveLength(150);
      expect(await limiter.active(k.lease)).toBe(50);
    });

    it('allows exactly the concurrency limit out of 100 concurrent admits without finish', async () => {
      const k = keys();
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => admission(i).admit(input(k, `exec-${i}`, { limit: 10 }))));
      expect(results.filter((r) => r.admitted)).toHaveLength(10);
      expect(results.filter((r) => !r.admitted && r.reason === 'quota_concurrency')).toHaveLength(90);
      expect(await limiter.active(k.lease)).toBe(10);
      // The 90 refused calls never reached the rate-limit bucket.
      expect((await buckets.take(k.rate, roomy, 0)).remaining).toBe(990);
    });
  });

  describe('finish', () => {
    it('records the outcome and releases the lease in one call', async () => {
      const k = keys();
      const admitted = await admission(0).admit(input(k, 'exec-1', { limit: 1 }));
      if (!admitted.admitted) throw new Error('expected admission');
      expect(await admission(1).admit(input(k, 'exec-2', { limit: 1 }))).toMatchObject({ admitted: false, reason: 'quota_concurrency' });
      const finished = await admission(1).finish({ breaker: { key: k.breaker, settings: breakerSettings, outcome: 'success', permit: admitted.permit }, lease: { key: k.lease, leaseId: 'exec-1' } });
      expect(finished).toEqual({ transitions: [], status: 'closed', released: true });
      expect(await limiter.active(k.lease)).toBe(0);
      expect(await store.state(k.breaker, breakerSettings)).toMatchObject({ status: 'closed', requests: 1, failures: 0 });
      expect((await admission(2).admit(input(k, 'exec-2', { limit: 1 }))).admitted).toBe(true);
      // Lease only (no breaker verdict); a second release finds nothing.
      expect(await admission(3).finish({ lease: { key: k.lease, leaseId: 'exec-2' } })).toEqual({ transitions: [], status: undefined, released: true });
      expect(await admission(3).finish({ lease: { key: k.lease, leaseId: 'exec-2' } })).toEqual({ transitions: [], status: undefined, released: false });
    });

    it('reports the transition its failure causes, and the next admit is refused', async () => {
      const k = keys();
      const permits: BreakerPermit[] = [];
      for (let i = 0; i < 2; i++) {
        const admitted = await admission(i).admit(input(k, `exec-${i}`));
        if (!admitted.admitted) throw new Error('expected admission');
        permits.push(admitted.permit);
      }
      const [first, second] = permits as [BreakerPermit, BreakerPermit];
      expect(await admission(0).finish({ breaker: { key: k.breaker, settings: breakerSettings, outcome: 'failure', permit: first }, lease: { key: k.lease, leaseId: 'exec-0' } })).toMatchObject({ status: 'closed', transitions: [] });
      const opened = await admission(1).finish({ breaker: { key: k.breaker, settings: breakerSettings, outcome: 'failure', permit: second }, lease: { key: k.lease, leaseId: 'exec-1' } });
      expect(opened.status).toBe('open');
      expect(opened.transitions).toHaveLength(1);
      expect(opened.transitions[0]).toMatchObject({ from: 'closed', to: 'open' });
      // The standalone store sees the same breaker.
      expect((await store.acquire(k.breaker, breakerSettings)).admission.allowed).toBe(false);
      expect(await admission(2).admit(input(k, 'exec-2'))).toMatchObject({ admitted: false, reason: 'circuit_open' });
      expect(await limiter.active(k.lease)).toBe(0);
    });

    it('accepts a permit from RedisCircuitBreakerStore.acquire (a retry attempt) and vice versa', async () => {
      const k = keys();
      const admitted = await admission(0).admit(input(k, 'exec-1'));
      if (!admitted.admitted) throw new Error('expected admission');
      await store.record(k.breaker, breakerSettings, 'failure', admitted.permit);
      const retry = await store.acquire(k.breaker, breakerSettings);
      if (!retry.admission.allowed) throw new Error('expected a retry permit');
      const finished = await admission(1).finish({ breaker: { key: k.breaker, settings: breakerSettings, outcome: 'failure', permit: retry.admission.permit }, lease: { key: k.lease, leaseId: 'exec-1' } });
      expect(finished).toMatchObject({ status: 'open', released: true });
    });
  });

  describe('equivalence with the standalone classes', () => {
    /** The same seeded sequence through admit/finish (keys a) and the six standalone calls (keys b). */
    it('yields the same decisions and state at every step', async () => {
      let clock = 5_000_000;
      const combined = new RedisAdmission(clients[1], { breakers: { nowOverride: () => clock } });
      const breakerStore = new RedisCircuitBreakerStore(clients[2], { nowOverride: () => clock });
      const bucket = new RedisTokenBucket(clients[2]);
      const leases = new RedisConcurrencyLimiter(clients[2]);
      const a = keys();
      const b = keys();
      const rate: RateLimitSettings = { capacity: 110, refill_per_sec: 0 };
      const rps = 100_000;
      const limit = 3;
      const settings: CircuitBreakerSettings = { window_ms: 10_000, min_requests: 3, failure_rate_threshold: 0.5, open_ms: 2_000, half_open_probes: 2 };

      async function standaloneAdmit(leaseId: string): Promise<AdmitResult> {
        const quota = await bucket.take(b.quota, { capacity: rps, refill_per_sec: rps });
        if (!quota.allowed) return { admitted: false, reason: 'quota_rps', retryAfterMs: quota.retryAfterMs };
        const lease = await leases.acquire(b.lease, limit, leaseId, 60_000);
        if (!lease.allowed) return { admitted: false, reason: 'quota_concurrency', retryAfterMs: lease.retryAfterMs };
        const rateLimit = await bucket.take(b.rate, rate);
        if (!rateLimit.allowed) {
          await leases.release(b.lease, leaseId);
          return { admitted: false, reason: 'rate_limited', rateLimit };
        }
        const acquired = await breakerStore.acquire(b.breaker, settings);
        if (!acquired.admission.allowed) {
          await leases.release(b.lease, leaseId);
          return { admitted: false, reason: 'circuit_open', retryAfterMs: acquired.admission.retryAfterMs, rateLimit, status: acquired.status, transitions: acquired.transitions };
        }
        return { admitted: true, rateLimit, permit: acquired.admission.permit, status: acquired.status, transitions: acquired.transitions };
      }

      /** Lease expiry depends on wall time, which differs between the two runs by a few ms. */
      const comparable = (result: AdmitResult): unknown =>
        !result.admitted && result.reason === 'quota_concurrency' ? { ...result, retryAfterMs: result.retryAfterMs > 0 && result.retryAfterMs <= 60_000 } : result;

      const random = seeded(42);
      const held: { id: string; permit: BreakerPermit }[] = [];
      const seen: Record<string, number> = {};
      for (let step = 0; step < 200; step++) {
        clock += random() < 0.85 ? Math.floor(random() * 300) : Math.floor(random() * 3_000);
        const context = `step ${step}`;
        if (held.length === 0 || random() < 0.62) {
          const id = `exec-${step}`;
          const got = await combined.admit({
            quota: { key: a.quota, rps },
            lease: { key: a.lease, limit, leaseId: id, leaseMs: 60_000 },
            rateLimit: { key: a.rate, settings: rate },
            breaker: { key: a.breaker, settings },
          });
          const expected = await standaloneAdmit(id);
          expect({ context, got: comparable(got) }).toEqual({ context, got: comparable(expected) });
          const label = got.admitted ? 'admitted' : got.reason;
          seen[label] = (seen[label] ?? 0) + 1;
          if (got.admitted) held.push({ id, permit: got.permit });
          for (const t of got.admitted || got.reason === 'circuit_open' ? got.transitions : []) seen[`${t.from}->${t.to}`] = (seen[`${t.from}->${t.to}`] ?? 0) + 1;
        } else {
          const [item] = held.splice(Math.floor(random() * held.length), 1);
          if (item === undefined) throw new Error('no held lease');
          const roll = random();
          const outcome: BreakerOutcome | undefined = roll < 0.1 ? undefined : roll < 0.6 ? 'failure' : 'success';
          const got = await combined.finish({
            breaker: outcome === undefined ? undefined : { key: a.breaker, settings, outcome, permit: item.permit },
            lease: { key: a.lease, leaseId: item.id },
          });
          const recorded = outcome === undefined ? undefined : await breakerStore.record(b.breaker, settings, outcome, item.permit);
          const released = await leases.release(b.lease, item.id);
          for (const t of got.transitions) seen[`${t.from}->${t.to}`] = (seen[`${t.from}->${t.to}`] ?? 0) + 1;
          expect({ context, got }).toEqual({ context, got: { transitions: recorded?.transitions ?? [], status: recorded?.status, released } });
        }
        expect({ context, view: await breakerStore.state(a.breaker, settings) }).toEqual({ context, view: await breakerStore.state(b.breaker, settings) });
        expect({ context, active: await leases.active(a.lease) }).toEqual({ context, active: await leases.active(b.lease) });
      }
      // The sequence exercised every path that can differ.
      expect(Object.keys(seen).sort()).toEqual(['admitted', 'circuit_open', 'closed->open', 'half_open->closed', 'half_open->open', 'open->half_open', 'quota_concurrency', 'rate_limited']);
      expect((await bucket.take(a.rate, rate, 0)).remaining).toBe((await bucket.take(b.rate, rate, 0)).remaining);
    });
  });

  describe('script transport', () => {
    it('falls back to EVAL when the server does not know the scripts', async () => {
      const real = clients[3];
      const evalsha = jest.fn(() => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')));
      const noScript = { evalsha, eval: real.eval.bind(real) } as unknown as AdmissionRedis;
      const fallback = new RedisAdmission(noScript);
      const k = keys();
      const admitted = await fallback.admit(input(k, 'exec-1', { limit: 1 }));
      if (!admitted.admitted) throw new Error('expected admission');
      expect(await admission(0).admit(input(k, 'exec-2', { limit: 1 }))).toMatchObject({ admitted: false, reason: 'quota_concurrency' });
      expect(await fallback.finish({ breaker: { key: k.breaker, settings: breakerSettings, outcome: 'success', permit: admitted.permit }, lease: { key: k.lease, leaseId: 'exec-1' } })).toEqual({
        transitions: [],
        status: 'closed',
        released: true,
      });
      expect(evalsha).toHaveBeenCalledTimes(2);
    });
  });
});
