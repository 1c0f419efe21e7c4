import { CONCURRENCY_LIMITER_SCRIPT, RedisConcurrencyLimiter, decodeConcurrencyReply, encodeConcurrencyArgs, type ConcurrencyLimiterRedis } from './redis-concurrency-limiter';

function fakeRedis(evalsha: jest.Mock, evalFn: jest.Mock = jest.fn()): ConcurrencyLimiterRedis {
  return { evalsha, eval: evalFn } as unknown as ConcurrencyLimiterRedis;
}

describe('encodeConcurrencyArgs', () => {
  it('floors the limit and rounds the lease up to whole ms, at least 1', () => {
    expect(encodeConcurrencyArgs('acquire', 'lease-1', 10.9, 250.2)).toEqual(['acquire', 'lease-1', '10', '251']);
    expect(encodeConcurrencyArgs('extend', 'lease-1', 0, 0)).toEqual(['extend', 'lease-1', '0', '1']);
  });

  it('refuses an empty lease id and non-finite numbers', () => {
    expect(() => encodeConcurrencyArgs('acquire', '', 1, 1_000)).toThrow(RangeError);
    expect(() => encodeConcurrencyArgs('acquire', 'l', Infinity, 1_000)).toThrow('limit');
    expect(() => encodeConcurrencyArgs('acquire', 'l', 1, Number.NaN)).toThrow('leaseMs');
  });
});

describe('decodeConcurrencyReply', () => {
  it('maps -1 to Infinity', () => {
    expect(decodeConcurrencyReply([0, 0, -1])).toEqual({ ok: false, active: 0, retryAfterMs: Infinity });
    expect(decodeConcurrencyReply([1, 3, 0])).toEqual({ ok: true, active: 3, retryAfterMs: 0 });
  });

  it('rejects malformed replies', () => {
    expect(() => decodeConcurrencyReply([1, 2])).toThrow('unexpected reply');
    expect(() => decodeConcurrencyReply([1, 'x', 0])).toThrow('non-numeric');
  });
});

describe(RedisConcurrencyLimiter.name, () => {
  describe('acquire', () => {
    it('sends EVALSHA with the namespaced key and decodes a refusal', async () => {
      const evalsha = jest.fn().mockResolvedValue([0, 10, 1_500]);
      const limiter = new RedisConcurrencyLimiter(fakeRedis(evalsha), { namespace: 'cc:' });
      await expect(limiter.acquire('ws1', 10, 'exec-1', 30_000)).resolves.toEqual({ allowed: false, active: 10, retryAfterMs: 1_500 });
      expect(evalsha).toHaveBeenCalledWith(expect.stringMatching(/^[0-9a-f]{40}$/), 1, 'cc:ws1', 'acquire', 'exec-1', '10', '30000');
    });

    it('falls back to EVAL on NOSCRIPT', async () => {
      const evalsha = jest.fn().mockRejectedValue(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      const evalFn = jest.fn().mockResolvedValue([1, 1, 0]);
      const limiter = new RedisConcurrencyLimiter(fakeRedis(evalsha, evalFn));
      await expect(limiter.acquire('ws1', 2, 'exec-1', 1_000)).resolves.toEqual({ allowed: true, active: 1, retryAfterMs: 0 });
      expect(evalFn).toHaveBeenCalledWith(CONCURRENCY_LIMITER_SCRIPT, 1, 'policy:concurrency:ws1', 'acquire', 'exec-1', '2', '1000');
    });

    it('passes other errors through', async () => {
      const limiter = new RedisConcurrencyLimiter(fakeRedis(jest.fn().mockRejectedValue(new Error('READONLY'))));
      await expect(limiter.acquire('ws1', 2, 'exec-1', 1_000)).rejects.toThrow('READONLY');
    });
  });

  describe('release', () => {
    it('reports whether a lease was removed', async () => {
      const evalsha = jest.fn().mockResolvedValueOnce([1, 0, 0]).mockResolvedValueOnce([0, 0, 0]);
      const limiter = new RedisConcurrencyLimiter(fakeRedis(evalsha));
      await expect(limiter.release('ws1', 'exec-1')).resolves.toBe(true);
      await expect(limiter.release('ws1', 'exec-1')).resolves.toBe(false);
      expect(evalsha).toHaveBeenCalledWith(expect.any(String), 1, 'policy:concurrency:ws1', 'release', 'exec-1', '0', '1');
    });
  });

  describe('extend', () => {
    it('sends the new lease length', async () => {
      const evalsha = jest.fn().mockResolvedValue([1, 1, 0]);
      const limiter = new RedisConcurrencyLimiter(fakeRedis(evalsha));
      await expect(limiter.extend('ws1', 'exec-1', 5_000)).resolves.toBe(true);
      expect(evalsha).toHaveBeenCalledWith(expect.any(String), 1, 'policy:concurrency:ws1', 'extend', 'exec-1', '0', '5000');
    });
  });

  describe('active', () => {
    it('returns the live lease count', async () => {
      const limiter = new RedisConcurrencyLimiter(fakeRedis(jest.fn().mockResolvedValue([1, 4, 0])));
      await expect(limiter.active('ws1')).resolves.toBe(4);
    });
  });
});
