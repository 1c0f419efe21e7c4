import { RedisTokenBucket, TOKEN_BUCKET_SCRIPT, type TokenBucketRedis } from './redis-token-bucket';

function fakeRedis(evalsha: jest.Mock, evalFn: jest.Mock): TokenBucketRedis {
  return { evalsha, eval: evalFn } as unknown as TokenBucketRedis;
}

describe('RedisTokenBucket (script transport)', () => {
  it('sends EVALSHA with the namespaced key and decodes the reply', async () => {
    const evalsha = jest.fn().mockResolvedValue([1, '7.25', 0, 550]);
    const evalFn = jest.fn();
    const bucket = new RedisTokenBucket(fakeRedis(evalsha, evalFn), { namespace: 'rl:' });
    await expect(bucket.take('ws:conn:op', { capacity: 10, refill_per_sec: 5 })).resolves.toEqual({ allowed: true, limit: 10, remaining: 7, retryAfterMs: 0, resetMs: 550 });
    expect(evalsha).toHaveBeenCalledWith(expect.stringMatching(/^[0-9a-f]{40}$/), 1, 'rl:ws:conn:op', '10', '5', '1', '86400000');
    expect(evalFn).not.toHaveBeenCalled();
  });

  it('falls back to EVAL on NOSCRIPT and maps -1 to Infinity', async () => {
    const evalsha = jest.fn().mockRejectedValue(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    const evalFn = jest.fn().mockResolvedValue([0, '0', -1, -1]);
    const bucket = new RedisTokenBucket(fakeRedis(evalsha, evalFn));
    await expect(bucket.take('k', { capacity: 3, refill_per_sec: 0 })).resolves.toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterMs: Infinity, resetMs: Infinity });
    expect(evalFn).toHaveBeenCalledWith(TOKEN_BUCKET_SCRIPT, 1, 'policy:bucket:k', '3', '0', '1', '86400000');
  });

  it('passes other errors through', async () => {
    const evalsha = jest.fn().mockRejectedValue(new Error('READONLY'));
    const bucket = new RedisTokenBucket(fakeRedis(evalsha, jest.fn()));
    await expect(bucket.take('k', { capacity: 3, refill_per_sec: 1 })).rejects.toThrow('READONLY');
  });
});
