import { CIRCUIT_BREAKER_SCRIPT, RedisCircuitBreakerStore, decodeBreakerReply, encodeBreakerArgs, type BreakerStoreRedis } from './redis-circuit-breaker';

const settings = { window_ms: 10_000, min_requests: 4, failure_rate_threshold: 0.5, open_ms: 5_000, half_open_probes: 2 };

function fakeRedis(evalsha: jest.Mock, evalFn: jest.Mock = jest.fn()): BreakerStoreRedis {
  return { evalsha, eval: evalFn } as unknown as BreakerStoreRedis;
}

function reply(head: string[], ...transitions: string[]): string[] {
  return [...head, ...transitions];
}

const closedHead = ['closed', '0', 'allowed', '0', '0', '3', '1', '0', '0', '1000', '0'];

describe('encodeBreakerArgs', () => {
  it('encodes settings, mode, options and the permit generation as strings', () => {
    expect(encodeBreakerArgs({ mode: 'record', settings, buckets: 10, idleGraceMs: 60_000, outcome: 'failure', permit: { generation: 3, probe: true } })).toEqual([
      'record', '10000', '4', '0.5', '5000', '2', '10', '60000', '', 'failure', '3',
    ]);
  });

  it('sends the now override only when given and leaves outcome and permit empty for acquire', () => {
    expect(encodeBreakerArgs({ mode: 'acquire', settings, buckets: 2.7, idleGraceMs: -5, nowMs: 1_234 })).toEqual([
      'acquire', '10000', '4', '0.5', '5000', '2', '2', '0', '1234', '', '',
    ]);
  });

  it('refuses non-finite settings, which Lua cannot read back', () => {
    expect(() => encodeBreakerArgs({ mode: 'state', settings: { ...settings, open_ms: Infinity }, buckets: 10, idleGraceMs: 0 })).toThrow(RangeError);
    expect(() => encodeBreakerArgs({ mode: 'state', settings: { ...settings, failure_rate_threshold: Number.NaN }, buckets: 10, idleGraceMs: 0 })).toThrow('failure_rate_threshold');
  });

  it('refuses a permit with a non-integer generation', () => {
    expect(() => encodeBreakerArgs({ mode: 'record', settings, buckets: 10, idleGraceMs: 0, outcome: 'success', permit: { generation: 1.5, probe: false } })).toThrow(RangeError);
  });
});

describe('decodeBreakerReply', () => {
  it('decodes an allowed admission with the view and no transitions', () => {
    expect(decodeBreakerReply(closedHead)).toEqual({
      view: { status: 'closed', generation: 0, requests: 3, failures: 1, probesAdmitted: 0, probeSuccesses: 0, since: 1000, openUntil: 0 },
      admission: { allowed: true, permit: { generation: 0, probe: false } },
      transitions: [],
    });
  });

  it('decodes a probe permit and the transitions that led to it', () => {
    const decoded = decodeBreakerReply(reply(['half_open', '2', 'allowed', '0', '1', '0', '0', '1', '0', '6000', '0'], 'open', 'half_open', '6000'));
    expect(decoded.admission).toEqual({ allowed: true, permit: { generation: 2, probe: true } });
    expect(decoded.transitions).toEqual([{ from: 'open', to: 'half_open', at: 6000 }]);
  });

  it('decodes a refusal and a reply without admission (record/state)', () => {
    expect(decodeBreakerReply(['open', '1', 'refused', '4000', '0', '0', '0', '0', '0', '1000', '6000']).admission).toEqual({ allowed: false, retryAfterMs: 4000 });
    const recorded = decodeBreakerReply(reply(['open', '1', '', '0', '0', '0', '0', '0', '0', '1000', '6000'], 'closed', 'open', '1000'));
    expect(recorded.admission).toBeUndefined();
    expect(recorded.transitions).toEqual([{ from: 'closed', to: 'open', at: 1000 }]);
  });

  it('rejects malformed replies', () => {
    expect(() => decodeBreakerReply('OK')).toThrow('unexpected reply');
    expect(() => decodeBreakerReply([...closedHead, 'open', 'half_open'])).toThrow('unexpected reply');
    expect(() => decodeBreakerReply(['broken', ...closedHead.slice(1)])).toThrow('unexpected status');
    expect(() => decodeBreakerReply(['closed', '0', 'maybe', ...closedHead.slice(3)])).toThrow('unexpected admission');
    expect(() => decodeBreakerReply(['closed', 'x', ...closedHead.slice(2)])).toThrow('not a number');
  });
});

describe(RedisCircuitBreakerStore.name, () => {
  describe('acquire', () => {
    it('sends EVALSHA with the namespaced key and returns admission, status and transitions', async () => {
      const evalsha = jest.fn().mockResolvedValue(closedHead);
      const store = new RedisCircuitBreakerStore(fakeRedis(evalsha), { namespace: 'cb:' });
      await expect(store.acquire('ws:conn', settings)).resolves.toEqual({ admission: { allowed: true, permit: { generation: 0, probe: false } }, status: 'closed', transitions: [] });
      expect(evalsha).toHaveBeenCalledWith(expect.stringMatching(/^[0-9a-f]{40}$/), 1, 'cb:ws:conn', 'acquire', '10000', '4', '0.5', '5000', '2', '10', '60000', '', '', '');
    });

    it('falls back to EVAL with the script on NOSCRIPT', async () => {
      const evalsha = jest.fn().mockRejectedValue(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      const evalFn = jest.fn().mockResolvedValue(['open', '1', 'refused', '10', '0', '0', '0', '0', '0', '0', '10']);
      const store = new RedisCircuitBreakerStore(fakeRedis(evalsha, evalFn), { nowOverride: () => 0 });
      await expect(store.acquire('k', settings)).resolves.toEqual({ admission: { allowed: false, retryAfterMs: 10 }, status: 'open', transitions: [] });
      expect(evalFn).toHaveBeenCalledWith(CIRCUIT_BREAKER_SCRIPT, 1, 'policy:breaker:k', 'acquire', '10000', '4', '0.5', '5000', '2', '10', '60000', '0', '', '');
    });

    it('passes other errors through', async () => {
      const evalFn = jest.fn();
      const store = new RedisCircuitBreakerStore(fakeRedis(jest.fn().mockRejectedValue(new Error('READONLY')), evalFn));
      await expect(store.acquire('k', settings)).rejects.toThrow('READONLY');
      expect(evalFn).not.toHaveBeenCalled();
    });
  });

  describe('record', () => {
    it('sends the outcome and permit generation', async () => {
      const evalsha = jest.fn().mockResolvedValue(reply(['open', '1', '', '0', '0', '0', '0', '0', '0', '5', '5005'], 'closed', 'open', '5'));
      const store = new RedisCircuitBreakerStore(fakeRedis(evalsha), { buckets: 4, idleGraceMs: 1_000 });
      await expect(store.record('k', settings, 'failure', { generation: 0, probe: false })).resolves.toEqual({ status: 'open', transitions: [{ from: 'closed', to: 'open', at: 5 }] });
      expect(evalsha).toHaveBeenCalledWith(expect.any(String), 1, 'policy:breaker:k', 'record', '10000', '4', '0.5', '5000', '2', '4', '1000', '', 'failure', '0');
    });
  });

  describe('state', () => {
    it('returns the view', async () => {
      const store = new RedisCircuitBreakerStore(fakeRedis(jest.fn().mockResolvedValue(['closed', '0', '', '0', '0', '7', '2', '0', '0', '1', '0'])));
      await expect(store.state('k', settings)).resolves.toMatchObject({ status: 'closed', requests: 7, failures: 2 });
    });
  });
});
