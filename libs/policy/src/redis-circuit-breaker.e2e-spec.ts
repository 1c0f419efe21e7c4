import { clearTestKeys, testClient } from './e2e/test-redis';
import { CircuitBreaker, advanceBreaker, windowCounts, type BreakerOptions, type BreakerOutcome, type BreakerPermit, type BreakerTransition } from './circuit-breaker';
import { RedisCircuitBreakerStore, type BreakerStoreRedis } from './redis-circuit-breaker';
import type { CircuitBreakerSettings } from './types';

const client = testClient;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deterministic pseudo-random source (mulberry32), so a failing parity run can be replayed. */
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

type Step = { at: number; op: 'acquire' } | { at: number; op: 'record'; outcome: BreakerOutcome; permit: number } | { at: number; op: 'state' };

function randomScript(seed: number, length: number, settings: CircuitBreakerSettings, failureShare: number): Step[] {
  const random = seeded(seed);
  const steps: Step[] = [];
  let at = 1_000_000 + Math.floor(random() * 1_000);
  let permits = 0;
  for (let i = 0; i < length; i++) {
    const jump = random();
    // Mostly small steps, sometimes past open_ms or the whole window.
    at += jump < 0.8 ? Math.floor(random() * settings.window_ms * 0.05) : jump < 0.95 ? Math.floor(random() * settings.open_ms * 1.2) : settings.window_ms + Math.floor(random() * settings.window_ms);
    const pick = random();
    if (pick < 0.45 || permits === 0) {
      steps.push({ at, op: 'acquire' });
      permits += 1;
    } else if (pick < 0.93) {
      // Mostly the latest permits, sometimes an old (stale) one.
      const back = random() < 0.8 ? Math.floor(random() * 3) : Math.floor(random() * permits);
      steps.push({ at, op: 'record', outcome: random() < failureShare ? 'failure' : 'success', permit: Math.max(0, permits - 1 - back) });
    } else {
      steps.push({ at, op: 'state' });
    }
  }
  return steps;
}

interface Observed {
  status: string;
  transitions: BreakerTransition[];
  admission?: unknown;
  view: { status: string; generation: number; requests: number; failures: number; probesAdmitted: number; probeSuccesses: number; openUntil: number };
}

describe('RedisCircuitBreakerStore against Redis', () => {
  const clients = [client(), client(), client(), client()] as const;
  let clock = 0;
  const stores = clients.map((c) => new RedisCircuitBreakerStore(c));
  const store = (i: number): RedisCircuitBreakerStore => stores[i % stores.length] as RedisCircuitBreakerStore;
  let keySeq = 0;
  const freshKey = (): string => `ws${keySeq++}:conn`;

  afterAll(async () => clearTestKeys(clients));

  /** Runs `steps` through the pure breaker and the store (scripted clock), comparing every step. */
  async function expectParity(settings: CircuitBreakerSettings, steps: Step[], options: BreakerOptions = {}): Promise<Record<string, number>> {
    const key = freshKey();
    const store = new RedisCircuitBreakerStore(clients[0], { nowOverride: () => clock, buckets: options.buckets });
    const pure = new CircuitBreaker(settings, steps[0]?.at ?? 0, options);
    const purePermits: BreakerPermit[] = [];
    const storePermits: BreakerPermit[] = [];
    const seen: Record<string, number> = {};
    for (const [i, step] of steps.entries()) {
      clock = step.at;
      let expected: Observed;
      let actual: Observed;
      const context = `step ${i} ${JSON.stringify(step)}`;
      if (step.op === 'acquire') {
        const { events, ...admission } = pure.tryAcquire(step.at);
        if (admission.allowed) purePermits.push(admission.permit);
        else purePermits.push({ generation: -1, probe: false });
        const got = await store.acquire(key, settings);
        storePermits.push(got.admission.allowed ? got.admission.permit : { generation: -1, probe: false });
        expected = { status: pure.snapshot().status, transitions: events, admission, view: peek(step.at) };
        actual = { status: got.status, transitions: got.transitions, admission: got.admission, view: await viewOf(store, key, settings) };
        seen[admission.allowed ? (admission.permit.probe ? 'probe' : 'allowed') : 'refused'] = (seen[admission.allowed ? (admission.permit.probe ? 'probe' : 'allowed') : 'refused'] ?? 0) + 1;
      } else if (step.op === 'record') {
        const purePermit = purePermits[step.permit];
        const storePermit = storePermits[step.permit];
        if (purePermit === undefined || storePermit === undefined) throw new Error(`${context}: no permit`);
        expect(storePermit).toEqual(purePermit);
        if (purePermit.generation < 0) continue; // refused: nothing to record
        const r = pure.record(step.outcome, step.at, purePermit);
        const got = await store.record(key, settings, step.outcome, storePermit);
        expected = { status: r.status, transitions: r.events, view: peek(step.at) };
        actual = { status: got.status, transitions: got.transitions, view: await viewOf(store, key, settings) };
      } else {
        // Read-only on both sides: advance without keeping the result.
        const view = peek(step.at);
        expected = { status: view.status, transitions: [], view };
        const got = await store.state(key, settings);
        actual = { status: got.status, transitions: [], view: pick(got) };
      }
      for (const t of expected.transitions) seen[`${t.from}->${t.to}`] = (seen[`${t.from}->${t.to}`] ?? 0) + 1;
      expect({ context, ...actual }).toEqual({ context, ...expected });
    }
    return seen;

    /** What a read at `at` sees: time-driven changes applied but not kept (as the store's state()). */
    function peek(at: number): Observed['view'] {
      const state = advanceBreaker(pure.snapshot(), settings, at, options).state;
      const counts = windowCounts(state);
      return { status: state.status, generation: state.generation, requests: counts.requests, failures: counts.failures, probesAdmitted: state.probesAdmitted, probeSuccesses: state.probeSuccesses, openUntil: state.openUntil };
    }
  }

  function pick(v: Observed['view'] & { since: number }): Observed['view'] {
    return { status: v.status, generation: v.generation, requests: v.requests, failures: v.failures, probesAdmitted: v.probesAdmitted, probeSuccesses: v.probeSuccesses, openUntil: v.openUntil };
  }

  /** The stored state as of the same instant (state() at the scripted clock advances nothing further). */
  async function viewOf(s: RedisCircuitBreakerStore, key: string, settings: CircuitBreakerSettings): Promise<Observed['view']> {
    return pick(await s.state(key, settings));
  }

  describe('parity with the pure CircuitBreaker', () => {
    const base: CircuitBreakerSettings = { window_ms: 10_000, min_requests: 4, failure_rate_threshold: 0.5, open_ms: 5_000, half_open_probes: 2 };

    it('matches a hand-written cycle: closed → open → half_open (probe slots, re-arm) → open → half_open → closed', async () => {
      const steps: Step[] = [
        { at: 100, op: 'acquire' }, { at: 110, op: 'record', outcome: 'success', permit: 0 },
        { at: 200, op: 'acquire' }, { at: 210, op: 'record', outcome: 'failure', permit: 1 },
        { at: 300, op: 'acquire' }, { at: 310, op: 'record', outcome: 'failure', permit: 2 },
        { at: 400, op: 'acquire' }, { at: 410, op: 'record', outcome: 'failure', permit: 3 }, // 3/4 → open
        { at: 420, op: 'acquire' }, { at: 430, op: 'state' },
        { at: 5_409, op: 'acquire' }, { at: 5_410, op: 'state' }, // open until 5_410
        { at: 5_410, op: 'acquire' }, { at: 5_411, op: 'acquire' }, { at: 5_412, op: 'acquire' }, // 2 probes, third refused
        { at: 6_000, op: 'record', outcome: 'success', permit: 6 },
        { at: 10_410, op: 'state' }, { at: 10_411, op: 'acquire' }, // never-reporting probe: re-armed
        { at: 10_420, op: 'record', outcome: 'success', permit: 7 }, // stale generation: ignored
        { at: 10_430, op: 'record', outcome: 'failure', permit: 9 }, // probe fails → open again
        { at: 15_430, op: 'acquire' }, { at: 15_431, op: 'acquire' },
        { at: 15_500, op: 'record', outcome: 'success', permit: 10 },
        { at: 15_600, op: 'record', outcome: 'success', permit: 11 }, // → closed
        { at: 15_700, op: 'acquire' }, { at: 15_800, op: 'record', outcome: 'failure', permit: 12 },
        { at: 40_000, op: 'state' }, // window slid past everything
      ];
      const seen = await expectParity(base, steps);
      expect(seen).toMatchObject({ 'closed->open': 1, 'open->half_open': 2, 'half_open->open': 1, 'half_open->closed': 1 });
    });

    it('keeps a single probe in flight after a round re-armed long before (regression)', async () => {
      const settings = { ...base, min_requests: 1, half_open_probes: 1 };
      const steps: Step[] = [
        { at: 1, op: 'acquire' }, { at: 2, op: 'record', outcome: 'failure', permit: 0 }, // open until 5_002
        { at: 5_002, op: 'acquire' }, // probe A, never reports
        { at: 10_100, op: 'record', outcome: 'success', permit: 0 }, // stale, but re-arms the round
        { at: 20_000, op: 'acquire' }, // probe B
        { at: 20_001, op: 'acquire' }, // must be refused: B is in flight for less than open_ms
        { at: 20_050, op: 'record', outcome: 'success', permit: 2 }, // B counts → closed
      ];
      const seen = await expectParity(settings, steps);
      expect(seen).toMatchObject({ probe: 2, refused: 1, 'half_open->closed': 1 });
    });

    it('matches the sliding window bucket by bucket', async () => {
      const steps: Step[] = [];
      let permit = 0;
      for (const at of [0, 999, 1_000, 1_999, 5_000, 9_999, 10_000, 10_999, 11_000, 11_001, 12_500, 19_999, 20_000, 21_000]) {
        steps.push({ at: 1_000_000 + at, op: 'acquire' }, { at: 1_000_000 + at, op: 'record', outcome: at % 2 === 0 ? 'success' : 'failure', permit }, { at: 1_000_000 + at, op: 'state' });
        permit += 1;
      }
      await expectParity({ ...base, min_requests: 100 }, steps);
    });

    // [name, settings, options, share of failed outcomes in the script]
    const variants: Array<[string, CircuitBreakerSettings, BreakerOptions, number]> = [
      ['the defaults used above', base, {}, 0.55],
      ['one probe, low threshold', { window_ms: 2_000, min_requests: 3, failure_rate_threshold: 0.3, open_ms: 700, half_open_probes: 1 }, {}, 0.4],
      ['three probes, 4 buckets, odd window', { window_ms: 1_234, min_requests: 5, failure_rate_threshold: 0.6, open_ms: 400, half_open_probes: 3 }, { buckets: 4 }, 0.35],
      ['threshold 1 and min_requests 0', { window_ms: 5_000, min_requests: 0, failure_rate_threshold: 1, open_ms: 1_000, half_open_probes: 2 }, {}, 0.6],
    ];
    it.each(variants)('matches a seeded random script (%s)', async (_name, settings, options, failureShare) => {
      const seen: Record<string, number> = {};
      for (const seed of [1, 2, 3]) {
        for (const [k, v] of Object.entries(await expectParity(settings, randomScript(seed * 7919 + settings.window_ms, 400, settings, failureShare), options))) seen[k] = (seen[k] ?? 0) + v;
      }
      // The scripts must actually exercise every transition, or the comparison proves little.
      expect(Object.keys(seen).sort()).toEqual(expect.arrayContaining(['closed->open', 'half_open->closed', 'half_open->open', 'open->half_open', 'probe', 'refused']));
    });
  });

  describe('acquire / record with Redis TIME', () => {
    it('goes closed → open → half_open → closed, with a TTL of window_ms + open_ms + 60 s on the key', async () => {
      const settings = { window_ms: 60_000, min_requests: 2, failure_rate_threshold: 0.5, open_ms: 300, half_open_probes: 1 };
      const key = freshKey();
      const s = store(0);
      for (let i = 0; i < 2; i++) {
        const a = await s.acquire(key, settings);
        if (!a.admission.allowed) throw new Error('expected admission');
        const r = await s.record(key, settings, 'failure', a.admission.permit);
        expect(r.status).toBe(i === 0 ? 'closed' : 'open');
        if (i === 1) expect(r.transitions).toEqual([{ from: 'closed', to: 'open', at: expect.any(Number) }]);
      }
      const refused = await s.acquire(key, settings);
      expect(refused.admission).toEqual({ allowed: false, retryAfterMs: expect.any(Number) });
      if (refused.admission.allowed) throw new Error('unreachable');
      expect(refused.admission.retryAfterMs).toBeGreaterThan(0);
      expect(refused.admission.retryAfterMs).toBeLessThanOrEqual(300);
      const ttl = await clients[0].pttl(`policy:breaker:${key}`);
      expect(ttl).toBeGreaterThan(60_000);
      expect(ttl).toBeLessThanOrEqual(60_000 + 300 + 60_000);

      await sleep(320);
      const probe = await s.acquire(key, settings);
      expect(probe.status).toBe('half_open');
      expect(probe.transitions).toEqual([{ from: 'open', to: 'half_open', at: expect.any(Number) }]);
      if (!probe.admission.allowed) throw new Error('expected a probe');
      expect(probe.admission.permit.probe).toBe(true);
      expect((await s.acquire(key, settings)).admission.allowed).toBe(false);
      const closed = await s.record(key, settings, 'success', probe.admission.permit);
      expect(closed).toEqual({ status: 'closed', transitions: [{ from: 'half_open', to: 'closed', at: expect.any(Number) }] });
      expect(await s.state(key, settings)).toMatchObject({ status: 'closed', requests: 0, failures: 0, generation: 3 });
    });

    it('treats a missing key as a fresh closed breaker and writes nothing for a bare acquire', async () => {
      const key = freshKey();
      const settings = { window_ms: 1_000, min_requests: 1, failure_rate_threshold: 0.5, open_ms: 100, half_open_probes: 1 };
      expect(await store(1).acquire(key, settings)).toEqual({ admission: { allowed: true, permit: { generation: 0, probe: false } }, status: 'closed', transitions: [] });
      expect(await clients[0].exists(`policy:breaker:${key}`)).toBe(0);
      expect(await store(1).state(key, settings)).toMatchObject({ status: 'closed', generation: 0, requests: 0 });
    });

    it('ignores a late outcome carrying a permit of an older generation', async () => {
      const settings = { window_ms: 60_000, min_requests: 1, failure_rate_threshold: 0.5, open_ms: 200, half_open_probes: 2 };
      const key = freshKey();
      const old = await store(0).acquire(key, settings);
      const opener = await store(1).acquire(key, settings);
      if (!old.admission.allowed || !opener.admission.allowed) throw new Error('expected admissions');
      expect((await store(1).record(key, settings, 'failure', opener.admission.permit)).status).toBe('open');
      // While open, and later while half-open, the generation-0 outcome changes nothing.
      expect(await store(0).record(key, settings, 'failure', old.admission.permit)).toEqual({ status: 'open', transitions: [] });
      await sleep(220);
      const probe = await store(2).acquire(key, settings);
      expect(probe.status).toBe('half_open');
      const before = await store(3).state(key, settings);
      expect(await store(0).record(key, settings, 'failure', old.admission.permit)).toEqual({ status: 'half_open', transitions: [] });
      expect(await store(3).state(key, settings)).toEqual(before);
    });
  });

  describe('under concurrency from four clients', () => {
    it('counts 200 concurrent successes exactly', async () => {
      // min_requests above the call count: arrival order is arbitrary, the breaker must stay closed.
      const settings = { window_ms: 60_000, min_requests: 1_000, failure_rate_threshold: 0.5, open_ms: 10_000, half_open_probes: 1 };
      const key = freshKey();
      const admissions = await Promise.all(Array.from({ length: 200 }, (_, i) => store(i).acquire(key, settings)));
      const permits = admissions.map((a) => {
        if (!a.admission.allowed) throw new Error('expected admission');
        return a.admission.permit;
      });
      await Promise.all(permits.map((p, i) => store(i + 1).record(key, settings, i % 4 === 0 ? 'failure' : 'success', p)));
      expect(await store(0).state(key, settings)).toMatchObject({ status: 'closed', generation: 0, requests: 200, failures: 50 });
    });

    it('reports exactly one closed→open among 200 concurrent failures, counted one by one', async () => {
      const settings = { window_ms: 60_000, min_requests: 50, failure_rate_threshold: 0.5, open_ms: 10_000, half_open_probes: 1 };
      const key = freshKey();
      const admissions = await Promise.all(Array.from({ length: 200 }, (_, i) => store(i).acquire(key, settings)));
      const results = await Promise.all(
        admissions.map((a, i) => {
          if (!a.admission.allowed) throw new Error('expected admission');
          return store(i + 3).record(key, settings, 'failure', a.admission.permit);
        }),
      );
      const transitions = results.flatMap((r) => r.transitions);
      expect(transitions).toEqual([{ from: 'closed', to: 'open', at: expect.any(Number) }]);
      // Serialised: the first 49 saw a closed breaker, the 50th opened it, the rest were stale.
      expect(results.filter((r) => r.status === 'closed')).toHaveLength(49);
      expect(results.filter((r) => r.status === 'open')).toHaveLength(151);
      expect(await store(0).state(key, settings)).toMatchObject({ status: 'open', generation: 1, requests: 0 });
    });

    it('admits exactly half_open_probes probes among 50 concurrent acquires', async () => {
      const settings = { window_ms: 60_000, min_requests: 1, failure_rate_threshold: 0.5, open_ms: 300, half_open_probes: 3 };
      const key = freshKey();
      const first = await store(0).acquire(key, settings);
      if (!first.admission.allowed) throw new Error('expected admission');
      await store(0).record(key, settings, 'failure', first.admission.permit);
      await sleep(320);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store(i).acquire(key, settings)));
      const probes = results.filter((r) => r.admission.allowed);
      expect(probes).toHaveLength(3);
      expect(probes.every((r) => r.admission.allowed && r.admission.permit.probe && r.admission.permit.generation === 2)).toBe(true);
      expect(results.flatMap((r) => r.transitions)).toEqual([{ from: 'open', to: 'half_open', at: expect.any(Number) }]);
      expect(await store(1).state(key, settings)).toMatchObject({ status: 'half_open', probesAdmitted: 3, probeSuccesses: 0 });
      // All three succeed concurrently: exactly one caller sees the breaker close.
      const closes = await Promise.all(probes.map((r, i) => (r.admission.allowed ? store(i).record(key, settings, 'success', r.admission.permit) : Promise.reject(new Error('unreachable')))));
      expect(closes.flatMap((r) => r.transitions)).toEqual([{ from: 'half_open', to: 'closed', at: expect.any(Number) }]);
    });
  });

  describe('script transport', () => {
    it('falls back to EVAL when the server does not know the script', async () => {
      const real = clients[2];
      const noScript: BreakerStoreRedis = {
        evalsha: () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')),
        eval: real.eval.bind(real),
      } as unknown as BreakerStoreRedis;
      const s = new RedisCircuitBreakerStore(noScript);
      const settings = { window_ms: 1_000, min_requests: 1, failure_rate_threshold: 0.5, open_ms: 1_000, half_open_probes: 1 };
      const key = freshKey();
      const a = await s.acquire(key, settings);
      if (!a.admission.allowed) throw new Error('expected admission');
      expect(await s.record(key, settings, 'failure', a.admission.permit)).toMatchObject({ status: 'open' });
      // The EVAL cached the script: the regular store now finds it by EVALSHA.
      expect((await store(2).acquire(key, settings)).admission.allowed).toBe(false);
    });
  });
});
