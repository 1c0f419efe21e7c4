import { clearTestKeys, testClient } from './e2e/test-redis';
import { RedisConcurrencyLimiter, type ConcurrencyLimiterRedis } from './redis-concurrency-limiter';

const client = testClient;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisConcurrencyLimiter against Redis', () => {
  const clients = [client(), client(), client(), client()] as const;
  const limiters = clients.map((c) => new RedisConcurrencyLimiter(c));
  const limiter = (i: number): RedisConcurrencyLimiter => limiters[i % limiters.length] as RedisConcurrencyLimiter;

  afterAll(async () => clearTestKeys(clients));

  describe('acquire', () => {
    it('allows exactly limit of 100 concurrent acquires from 4 clients', async () => {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => limiter(i).acquire('ws-many', 10, `exec-${i}`, 30_000)));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      const refused = results.filter((r) => !r.allowed);
      expect(refused).toHaveLength(90);
      expect(refused.every((r) => r.active === 10 && r.retryAfterMs > 0 && r.retryAfterMs <= 30_000)).toBe(true);
      expect(results.filter((r) => r.allowed).map((r) => r.active).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(await limiter(0).active('ws-many')).toBe(10);
      const ttl = await clients[0].pttl('policy:concurrency:ws-many');
      expect(ttl).toBeGreaterThan(29_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    });

    it('re-admits a holder that already has a live lease without taking a second slot', async () => {
      expect((await limiter(0).acquire('ws-again', 1, 'exec-1', 10_000)).allowed).toBe(true);
      expect(await limiter(1).acquire('ws-again', 1, 'exec-1', 10_000)).toEqual({ allowed: true, active: 1, retryAfterMs: 0 });
      expect((await limiter(2).acquire('ws-again', 1, 'exec-2', 10_000)).allowed).toBe(false);
    });

    it('refuses everything with limit 0, for ever', async () => {
      expect(await limiter(0).acquire('ws-zero', 0, 'exec-1', 1_000)).toEqual({ allowed: false, active: 0, retryAfterMs: Infinity });
    });

    it('keeps keys apart', async () => {
      expect((await limiter(0).acquire('ws-a', 1, 'exec-1', 10_000)).allowed).toBe(true);
      expect((await limiter(1).acquire('ws-b', 1, 'exec-1', 10_000)).allowed).toBe(true);
      expect((await limiter(2).acquire('ws-a', 1, 'exec-2', 10_000)).allowed).toBe(false);
    });
  });

  describe('release', () => {
    it('frees a slot for the next acquirer and reports unknown leases', async () => {
      expect((await limiter(0).acquire('ws-release', 2, 'exec-1', 10_000)).allowed).toBe(true);
      expect((await limiter(1).acquire('ws-release', 2, 'exec-2', 10_000)).allowed).toBe(true);
      expect((await limiter(2).acquire('ws-release', 2, 'exec-3', 10_000)).allowed).toBe(false);
      expect(await limiter(3).release('ws-release', 'exec-1')).toBe(true);
      expect(await limiter(3).release('ws-release', 'exec-1')).toBe(false);
      expect(await limiter(2).acquire('ws-release', 2, 'exec-3', 10_000)).toEqual({ allowed: true, active: 2, retryAfterMs: 0 });
    });
  });

  describe('lease expiry', () => {
    it('frees the slot of a holder that died once its lease expires', async () => {
      const held = await limiter(0).acquire('ws-expiry', 1, 'dead-holder', 150);
      expect(held.allowed).toBe(true);
      const refused = await limiter(1).acquire('ws-expiry', 1, 'exec-2', 150);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(150);
      await sleep(200);
      expect(await limiter(2).active('ws-expiry')).toBe(0);
      expect(await limiter(1).acquire('ws-expiry', 1, 'exec-2', 150)).toEqual({ allowed: true, active: 1, retryAfterMs: 0 });
      // An expired lease can be neither extended nor released.
      expect(await limiter(0).extend('ws-expiry', 'dead-holder', 10_000)).toBe(false);
      expect(await limiter(0).release('ws-expiry', 'dead-holder')).toBe(false);
    });

    it('keeps a lease alive past its first expiry when extended', async () => {
      expect((await limiter(0).acquire('ws-extend', 1, 'exec-1', 150)).allowed).toBe(true);
      await sleep(100);
      expect(await limiter(0).extend('ws-extend', 'exec-1', 300)).toBe(true);
      await sleep(100);
      expect((await limiter(1).acquire('ws-extend', 1, 'exec-2', 150)).allowed).toBe(false);
      expect(await clients[0].pttl('policy:concurrency:ws-extend')).toBeGreaterThan(150);
    });

    it('lets the key disappear with its last lease', async () => {
      expect((await limiter(0).acquire('ws-gone', 3, 'exec-1', 100)).allowed).toBe(true);
      await sleep(150);
      expect(await clients[0].exists('policy:concurrency:ws-gone')).toBe(0);
    });
  });

  describe('script transport', () => {
    it('falls back to EVAL when the server does not know the script', async () => {
      const real = clients[3];
      const noScript = {
        evalsha: () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')),
        eval: real.eval.bind(real),
      } as unknown as ConcurrencyLimiterRedis;
      const fallback = new RedisConcurrencyLimiter(noScript);
      expect((await fallback.acquire('ws-noscript', 1, 'exec-1', 10_000)).allowed).toBe(true);
      expect((await limiter(0).acquire('ws-noscript', 1, 'exec-2', 10_000)).allowed).toBe(false);
      expect(await fallback.release('ws-noscript', 'exec-1')).toBe(true);
    });
  });
});
