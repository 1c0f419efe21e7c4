import { clearTestKeys, testClient } from './e2e/test-redis';
import { RedisTokenBucket } from './redis-token-bucket';

const client = testClient;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisTokenBucket against Redis', () => {
  const clients = [client(), client(), client(), client()] as const;
  const buckets = clients.map((c) => new RedisTokenBucket(c));
  const bucket = (i: number): RedisTokenBucket => buckets[i % buckets.length] as RedisTokenBucket;

  afterAll(async () => clearTestKeys(clients));

  it('allows exactly capacity takes out of 200 concurrent ones from 4 clients', async () => {
    const settings = { capacity: 50, refill_per_sec: 0 };
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => bucket(i).take('ws1:conn:op', settings)));
    expect(results.filter((r) => r.allowed)).toHaveLength(50);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(150);
    expect(refused.every((r) => r.remaining === 0 && r.retryAfterMs === Infinity)).toBe(true);
    expect(results.filter((r) => r.allowed).map((r) => r.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // A refill-less bucket keeps its key for the idle TTL.
    const ttl = await clients[0].pttl('policy:bucket:ws1:conn:op');
    expect(ttl).toBeGreaterThan(86_000_000);
  });

  it('keeps keys apart', async () => {
    const settings = { capacity: 1, refill_per_sec: 0 };
    expect((await bucket(0).take('ws-a:c:op', settings)).allowed).toBe(true);
    expect((await bucket(1).take('ws-b:c:op', settings)).allowed).toBe(true);
    expect((await bucket(2).take('ws-a:c:op', settings)).allowed).toBe(false);
  });

  it('refills over server time and expires idle buckets once they would be full', async () => {
    const settings = { capacity: 5, refill_per_sec: 20 }; // one token per 50 ms of Redis time
    const key = 'ws1:conn:refill';
    // Bounds come from Redis's own clock around each step, so a slow (loaded) machine changes
    // how many tokens come back, never whether the answer is right.
    const serverMs = async (): Promise<number> => {
      const [sec, usec] = await clients[0].time();
      return Number(sec) * 1000 + Number(usec) / 1000;
    };
    const tokensBetween = (fromMs: number, toMs: number): number => Math.floor(((toMs - fromMs) * settings.refill_per_sec) / 1000);

    const drainStart = await serverMs();
    const drained = await Promise.all(Array.from({ length: 6 }, (_, i) => bucket(i).take(key, settings)));
    const drainEnd = await serverMs();
    expect(drained.filter((r) => r.allowed).length).toBeGreaterThanOrEqual(5);
    expect(drained.filter((r) => r.allowed).length).toBeLessThanOrEqual(5 + tokensBetween(drainStart, drainEnd));
    const refused = drained.find((r) => !r.allowed);
    if (refused !== undefined) {
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(50);
      expect(refused.resetMs).toBeGreaterThan(200);
      expect(refused.resetMs).toBeLessThanOrEqual(250);
    }
    const ttl = await clients[0].pttl(`policy:bucket:${key}`);
    expect(ttl).toBeGreaterThan(1_000);
    expect(ttl).toBeLessThanOrEqual(1_250);

    await sleep(120); // ≈ 2.4 tokens on an idle machine
    const takeStart = await serverMs();
    const after = await Promise.all(Array.from({ length: 4 }, (_, i) => bucket(i).take(key, settings)));
    const takeEnd = await serverMs();
    const allowedAfter = after.filter((r) => r.allowed).length;
    expect(allowedAfter).toBeGreaterThanOrEqual(Math.min(4, tokensBetween(drainEnd, takeStart)));
    expect(allowedAfter).toBeLessThanOrEqual(Math.min(4, tokensBetween(drainStart, takeEnd)));
    expect(allowedAfter).toBeGreaterThanOrEqual(1);

    await sleep(300); // ≥ 6 tokens of refill: full again, capped at 5
    const refillStart = await serverMs();
    const refilled = await Promise.all(Array.from({ length: 7 }, (_, i) => bucket(i).take(key, settings)));
    const refillEnd = await serverMs();
    const allowedRefilled = refilled.filter((r) => r.allowed).length;
    expect(allowedRefilled).toBeGreaterThanOrEqual(5);
    expect(allowedRefilled).toBeLessThanOrEqual(Math.min(7, 5 + tokensBetween(refillStart, refillEnd)));
  });
});
