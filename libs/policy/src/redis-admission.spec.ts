import { LUA_COMMON } from './lua/common';
import {
  ADMIT_SCRIPT,
  FINISH_SCRIPT,
  RedisAdmission,
  decodeAdmitReply,
  decodeFinishReply,
  encodeAdmitArgs,
  encodeFinishArgs,
  resolveAdmissionOptions,
  type AdmissionRedis,
  type AdmitInput,
} from './redis-admission';
import { CIRCUIT_BREAKER_LUA, CIRCUIT_BREAKER_SCRIPT } from './redis-circuit-breaker';
import { CONCURRENCY_LIMITER_LUA, CONCURRENCY_LIMITER_SCRIPT } from './redis-concurrency-limiter';
import { TOKEN_BUCKET_LUA, TOKEN_BUCKET_SCRIPT } from './redis-token-bucket';

const breakerSettings = { window_ms: 10_000, min_requests: 4, failure_rate_threshold: 0.5, open_ms: 5_000, half_open_probes: 2 };

const input: AdmitInput = {
  quota: { key: 'quota:rps:ws1', rps: 20 },
  lease: { key: 'quota:concurrency:ws1', limit: 10.7, leaseId: 'exec-1', leaseMs: 35_000.2 },
  rateLimit: { key: 'ratelimit:ws1:c1:op', settings: { capacity: 5, refill_per_sec: 2.5 } },
  breaker: { key: 'ws1:c1', settings: breakerSettings },
};

const defaults = resolveAdmissionOptions();

function fakeRedis(evalsha: jest.Mock, evalFn: jest.Mock = jest.fn()): AdmissionRedis {
  return { evalsha, eval: evalFn } as unknown as AdmissionRedis;
}

// Reply parts, as the standalone scripts return them.
const bucketOk = [1, '19', 0, 50];
const bucketRefused = [0, '0.5', 200, 1_800];
const leaseOk = [1, 3, 0];
const breakerAllowed = ['closed', '4', 'allowed', '0', '0', '2', '1', '0', '0', '1000', '0'];
const breakerRefused = ['open', '5', 'refused', '3000', '0', '0', '0', '0', '0', '1000', '6000'];

describe('script composition', () => {
  it('builds every script from the same snippets, each defined once', () => {
    for (const [script, parts] of [
      [TOKEN_BUCKET_SCRIPT, [TOKEN_BUCKET_LUA]],
      [CONCURRENCY_LIMITER_SCRIPT, [CONCURRENCY_LIMITER_LUA]],
      [CIRCUIT_BREAKER_SCRIPT, [CIRCUIT_BREAKER_LUA]],
      [ADMIT_SCRIPT, [TOKEN_BUCKET_LUA, CONCURRENCY_LIMITER_LUA, CIRCUIT_BREAKER_LUA]],
      [FINISH_SCRIPT, [CONCURRENCY_LIMITER_LUA, CIRCUIT_BREAKER_LUA]],
    ] as const) {
      expect(script).toContain(LUA_COMMON.trim());
      for (const part of parts) expect(script).toContain(part.trim());
      for (const name of ['fmt', 'redis_clock', 'bucket_take', 'lease_acquire', 'lease_release', 'breaker_step', 'breaker_run']) {
        expect(script.split(`local function ${name}(`).length).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('encodeAdmitArgs', () => {
  it('sends the four namespaced keys and the standalone argument blocks in order', () => {
    expect(encodeAdmitArgs(input, defaults)).toEqual({
      keys: ['policy:bucket:quota:rps:ws1', 'policy:concurrency:quota:concurrency:ws1', 'policy:bucket:ratelimit:ws1:c1:op', 'policy:breaker:ws1:c1'],
      args: [
        ...['20', '20', '1', '86400000'],
        ...['acquire', 'exec-1', '10', '35001'],
        ...['5', '2.5', '1', '86400000'],
        ...['acquire', '10000', '4', '0.5', '5000', '2', '10', '60000', '', '', ''],
      ],
    });
  });

  it('follows the standalone options and sends the breaker now override only when given', () => {
    const options = resolveAdmissionOptions({ buckets: { namespace: 'b:', idleTtlMs: 1_000 }, concurrency: { namespace: 'c:' }, breakers: { namespace: 'cb:', buckets: 4, idleGraceMs: 5 } });
    const call = encodeAdmitArgs(input, options, 1_234);
    expect(call.keys).toEqual(['b:quota:rps:ws1', 'c:quota:concurrency:ws1', 'b:ratelimit:ws1:c1:op', 'cb:ws1:c1']);
    expect(call.args.slice(12)).toEqual(['acquire', '10000', '4', '0.5', '5000', '2', '4', '5', '1234', '', '']);
    expect(call.args[3]).toBe('1000');
  });

  it('refuses what the standalone encoders refuse', () => {
    expect(() => encodeAdmitArgs({ ...input, lease: { ...input.lease, leaseId: '' } }, defaults)).toThrow(RangeError);
    expect(() => encodeAdmitArgs({ ...input, breaker: { key: 'k', settings: { ...breakerSettings, open_ms: Infinity } } }, defaults)).toThrow('open_ms');
  });
});

describe('encodeFinishArgs', () => {
  it('sends the lease release block, then the breaker record block', () => {
    expect(encodeFinishArgs({ lease: { key: 'l', leaseId: 'exec-1' }, breaker: { key: 'ws1:c1', settings: breakerSettings, outcome: 'failure', permit: { generation: 3, probe: true } } }, defaults)).toEqual({
      keys: ['policy:concurrency:l', 'policy:breaker:ws1:c1'],
      args: ['release', 'exec-1', '0', '1', 'record', '10000', '4', '0.5', '5000', '2', '10', '60000', '', 'failure', '3'],
    });
  });

  it('sends only the lease without a breaker outcome', () => {
    expect(encodeFinishArgs({ lease: { key: 'l', leaseId: 'exec-1' } }, defaults)).toEqual({ keys: ['policy:concurrency:l'], args: ['release', 'exec-1', '0', '1'] });
  });
});

describe('decodeAdmitReply', () => {
  it('decodes an admission', () => {
    expect(decodeAdmitReply(['admitted', ...bucketOk, ...leaseOk, 1, '3.5', 0, 600, ...breakerAllowed], 5)).toEqual({
      admitted: true,
      rateLimit: { allowed: true, limit: 5, remaining: 3, retryAfterMs: 0, resetMs: 600 },
      permit: { generation: 4, probe: false },
      status: 'closed',
      transitions: [],
    });
  });

  it('decodes each refusal, with Infinity for "never"', () => {
    expect(decodeAdmitReply(['quota_rps', ...bucketRefused], 5)).toEqual({ admitted: false, reason: 'quota_rps', retryAfterMs: 200 });
    expect(decodeAdmitReply(['quota_rps', 0, '0', -1, -1], 5)).toEqual({ admitted: false, reason: 'quota_rps', retryAfterMs: Infinity });
    expect(decodeAdmitReply(['quota_concurrency', ...bucketOk, 0, 10, 1_500], 5)).toEqual({ admitted: false, reason: 'quota_concurrency', retryAfterMs: 1_500 });
    expect(decodeAdmitReply(['quota_concurrency', ...bucketOk, 0, 0, -1], 5)).toEqual({ admitted: false, reason: 'quota_concurrency', retryAfterMs: Infinity });
    expect(decodeAdmitReply(['rate_limited', ...bucketOk, ...leaseOk, 0, '0', -1, -1], 5)).toEqual({
      admitted: false,
      reason: 'rate_limited',
      rateLimit: { allowed: false, limit: 5, remaining: 0, retryAfterMs: Infinity, resetMs: Infinity },
    });
    expect(decodeAdmitReply(['circuit_open', ...bucketOk, ...leaseOk, ...bucketOk, ...breakerRefused, 'closed', 'open', '1000'], 5)).toEqual({
      admitted: false,
      reason: 'circuit_open',
      retryAfterMs: 3_000,
      rateLimit: { allowed: true, limit: 5, remaining: 19, retryAfterMs: 0, resetMs: 50 },
      status: 'open',
      transitions: [{ from: 'closed', to: 'open', at: 1000 }],
    });
  });

  it('rejects malformed or inconsistent replies', () => {
    expect(() => decodeAdmitReply('OK', 5)).toThrow('unexpected reply');
    expect(() => decodeAdmitReply(['quota_rps', 0, '0', 1], 5)).toThrow('unexpected reply');
    expect(() => decodeAdmitReply(['quota_rps', ...bucketRefused, 1], 5)).toThrow('length');
    expect(() => decodeAdmitReply(['quota_rps', ...bucketOk], 5)).toThrow('allowed');
    expect(() => decodeAdmitReply(['quota_concurrency', ...bucketOk, ...leaseOk], 5)).toThrow('granted');
    expect(() => decodeAdmitReply(['quota_concurrency', ...bucketOk, 0, 'x', 1], 5)).toThrow('non-numeric');
    expect(() => decodeAdmitReply(['rate_limited', ...bucketOk, ...leaseOk, ...bucketOk], 5)).toThrow('allowed');
    expect(() => decodeAdmitReply(['surprise', ...bucketOk, ...leaseOk, ...bucketOk, ...breakerAllowed], 5)).toThrow('unexpected reason');
    expect(() => decodeAdmitReply(['admitted', ...bucketOk, ...leaseOk, ...bucketOk, ...breakerRefused], 5)).toThrow('refused');
    expect(() => decodeAdmitReply(['circuit_open', ...bucketOk, ...leaseOk, ...bucketOk, ...breakerAllowed], 5)).toThrow('allowed');
    expect(() => decodeAdmitReply(['admitted', ...bucketOk, ...leaseOk, ...bucketOk, ...breakerAllowed, 'closed'], 5)).toThrow('circuit breaker script');
    expect(() => decodeAdmitReply(['admitted', ...bucketOk, ...leaseOk, ...bucketOk], 5)).toThrow('circuit breaker script');
  });
});

describe('decodeFinishReply', () => {
  it('decodes the release and the breaker record', () => {
    expect(decodeFinishReply([1], false)).toEqual({ transitions: [], status: undefined, released: true });
    expect(decodeFinishReply([0, 'open', '1', '', '0', '0', '0', '0', '0', '0', '1000', '6000', 'closed', 'open', '1000'], true)).toEqual({
      transitions: [{ from: 'closed', to: 'open', at: 1000 }],
      status: 'open',
      released: false,
    });
  });

  it('rejects malformed replies', () => {
    expect(() => decodeFinishReply([], false)).toThrow('unexpected finish reply');
    expect(() => decodeFinishReply([2], false)).toThrow('0|1');
    expect(() => decodeFinishReply([1, 'closed'], false)).toThrow('length');
    expect(() => decodeFinishReply([1], true)).toThrow('without breaker');
    expect(() => decodeFinishReply([1, ...breakerAllowed], true)).toThrow('admission');
  });
});

describe(RedisAdmission.name, () => {
  it('admits with one EVALSHA carrying four keys', async () => {
    const evalsha = jest.fn().mockResolvedValue(['quota_rps', ...bucketRefused]);
    const admission = new RedisAdmission(fakeRedis(evalsha));
    await expect(admission.admit(input)).resolves.toEqual({ admitted: false, reason: 'quota_rps', retryAfterMs: 200 });
    const call = encodeAdmitArgs(input, defaults);
    expect(evalsha).toHaveBeenCalledWith(expect.stringMatching(/^[0-9a-f]{40}$/), 4, ...call.keys, ...call.args);
  });

  it('falls back to EVAL on NOSCRIPT and sends the breaker now override', async () => {
    const evalsha = jest.fn().mockRejectedValue(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    const evalFn = jest.fn().mockResolvedValueOnce(['quota_rps', ...bucketRefused]).mockResolvedValueOnce([1, ...breakerAllowed.slice(0, 2), '', ...breakerAllowed.slice(3)]);
    const admission = new RedisAdmission(fakeRedis(evalsha, evalFn), { breakers: { nowOverride: () => 42 } });
    await admission.admit(input);
    const call = encodeAdmitArgs(input, defaults, 42);
    expect(evalFn).toHaveBeenCalledWith(ADMIT_SCRIPT, 4, ...call.keys, ...call.args);
    const finish = { lease: { key: 'l', leaseId: 'exec-1' }, breaker: { key: 'b', settings: breakerSettings, outcome: 'success' as const, permit: { generation: 4, probe: false } } };
    await expect(admission.finish(finish)).resolves.toEqual({ transitions: [], status: 'closed', released: true });
    const finishCall = encodeFinishArgs(finish, defaults, 42);
    expect(evalFn).toHaveBeenLastCalledWith(FINISH_SCRIPT, 2, ...finishCall.keys, ...finishCall.args);
  });

  it('passes other errors through', async () => {
    const admission = new RedisAdmission(fakeRedis(jest.fn().mockRejectedValue(new Error('READONLY'))));
    await expect(admission.admit(input)).rejects.toThrow('READONLY');
    await expect(admission.finish({ lease: { key: 'l', leaseId: 'x' } })).rejects.toThrow('READONLY');
  });
});
