import { CircuitBreaker, initialBreakerState, recordBreaker, type BreakerPermit } from './circuit-breaker';

const settings = { window_ms: 10_000, min_requests: 4, failure_rate_threshold: 0.5, open_ms: 5_000, half_open_probes: 2 };

function permitOf(breaker: CircuitBreaker, now: number): BreakerPermit {
  const admission = breaker.tryAcquire(now);
  if (!admission.allowed) throw new Error(`refused at ${now}`);
  return admission.permit;
}

function fail(breaker: CircuitBreaker, now: number) {
  return breaker.record('failure', now, permitOf(breaker, now));
}

describe('CircuitBreaker', () => {
  it('runs the full cycle closed → open → half_open → closed, reporting each transition', () => {
    const b = new CircuitBreaker(settings, 0);
    expect(b.state(0).status).toBe('closed');
    for (const t of [100, 200, 300]) expect(fail(b, t).events).toEqual([]);
    expect(fail(b, 400)).toEqual({ status: 'open', events: [{ from: 'closed', to: 'open', at: 400 }] });

    expect(b.tryAcquire(1_400)).toEqual({ allowed: false, retryAfterMs: 4_000, events: [] });
    expect(b.state(5_399).status).toBe('open');

    const first = b.tryAcquire(5_400);
    expect(first).toMatchObject({ allowed: true, permit: { probe: true }, events: [{ from: 'open', to: 'half_open', at: 5_400 }] });
    const second = b.tryAcquire(5_401);
    expect(second).toMatchObject({ allowed: true, events: [] });
    const third = b.tryAcquire(5_402);
    expect(third.allowed).toBe(false);

    if (!first.allowed || !second.allowed) throw new Error('unreachable');
    expect(b.record('success', 5_500, first.permit)).toEqual({ status: 'half_open', events: [] });
    expect(b.record('success', 5_600, second.permit)).toEqual({ status: 'closed', events: [{ from: 'half_open', to: 'closed', at: 5_600 }] });
    expect(b.tryAcquire(5_700).allowed).toBe(true);
  });

  it('re-opens when a half-open probe fails, for another open_ms', () => {
    const b = new CircuitBreaker(settings, 0);
    for (const t of [1, 2, 3, 4]) fail(b, t);
    const probe = permitOf(b, 5_004);
    expect(b.record('failure', 5_010, probe)).toEqual({ status: 'open', events: [{ from: 'half_open', to: 'open', at: 5_010 }] });
    expect(b.tryAcquire(10_009)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(b.tryAcquire(10_010)).toMatchObject({ allowed: true, events: [{ from: 'open', to: 'half_open', at: 10_010 }] });
  });

  it('does not open below min_requests even at 100 % failures', () => {
    const b = new CircuitBreaker(settings, 0);
    for (const t of [1, 2, 3]) fail(b, t);
    expect(b.state(4).status).toBe('closed');
    expect(fail(b, 5).status).toBe('open');
  });

  it('does not open below the failure-rate threshold', () => {
    const b = new CircuitBreaker({ ...settings, failure_rate_threshold: 0.6 }, 0);
    for (const t of [1, 2, 3]) b.record('success', t, permitOf(b, t));
    for (const t of [4, 5, 6, 7]) expect(fail(b, t).status).toBe('closed'); // 4/7 < 0.6
    expect(fail(b, 8).status).toBe('open'); // 5/8 ≥ 0.6
  });

  it('forgets outcomes older than the window', () => {
    const b = new CircuitBreaker(settings, 0);
    for (const t of [0, 100, 200]) fail(b, t);
    // 3 failures at t≈0 slide out once their bucket is older than window_ms.
    expect(fail(b, 11_000).status).toBe('closed');
    expect(b.snapshot().buckets.reduce((s, x) => s + x.requests, 0)).toBe(1);
    for (const t of [11_100, 11_200]) fail(b, t);
    expect(fail(b, 11_300).status).toBe('open');
  });

  it('ignores late results from an older generation', () => {
    const b = new CircuitBreaker(settings, 0);
    const stale = permitOf(b, 0);
    for (const t of [1, 2, 3, 4]) fail(b, t);
    const probe1 = permitOf(b, 6_000);
    permitOf(b, 6_001);
    expect(b.record('success', 6_002, stale)).toEqual({ status: 'half_open', events: [] });
    expect(b.record('success', 6_003, probe1).status).toBe('half_open');
    expect(b.snapshot().probeSuccesses).toBe(1);
  });

  it('re-arms probe slots whose callers never reported within open_ms', () => {
    const b = new CircuitBreaker({ ...settings, half_open_probes: 1 }, 0);
    for (const t of [1, 2, 3, 4]) fail(b, t);
    const lost = permitOf(b, 5_004);
    expect(b.tryAcquire(6_000)).toMatchObject({ allowed: false, retryAfterMs: 4_004 });
    const fresh = permitOf(b, 10_004);
    expect(b.record('success', 10_005, lost).status).toBe('half_open');
    expect(b.record('success', 10_006, fresh).status).toBe('closed');
  });

  it('keeps its state as a plain serialisable object', () => {
    const b = new CircuitBreaker(settings, 0);
    for (const t of [1, 2, 3, 4]) fail(b, t);
    const copy = JSON.parse(JSON.stringify(b.snapshot()));
    const restored = CircuitBreaker.from(copy, settings);
    expect(restored.tryAcquire(1_000)).toMatchObject({ allowed: false, retryAfterMs: 4_004 });
    expect(restored.snapshot()).toEqual(b.snapshot());
  });

  it('pure functions leave their input untouched', () => {
    const state = initialBreakerState(0);
    const before = JSON.stringify(state);
    recordBreaker(state, settings, 'failure', 10);
    expect(JSON.stringify(state)).toBe(before);
  });
});
