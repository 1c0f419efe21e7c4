import type { CircuitBreakerSettings, Millis } from './types';

export type BreakerStatus = 'closed' | 'open' | 'half_open';

/** One slice of the rolling window. */
export interface BreakerBucket {
  /** Start of the slice (multiple of the bucket width). */
  start: Millis;
  requests: number;
  failures: number;
}

/**
 * Everything the breaker knows, as a plain JSON-serialisable object, so a store (e.g. Redis) can
 * share it across replicas. Treat as immutable: every function returns a new one.
 */
export interface BreakerState {
  status: BreakerStatus;
  /** Bumped on every transition; permits from an older generation are stale. */
  generation: number;
  /** When the current status was entered. */
  since: Millis;
  /** Open: when half-open becomes possible. */
  openUntil: Millis;
  /** Closed: outcome counts per bucket, oldest first, only buckets inside the window. */
  buckets: BreakerBucket[];
  /** Half-open: probes admitted / succeeded in this generation. */
  probesAdmitted: number;
  probeSuccesses: number;
}

export interface BreakerTransition {
  from: BreakerStatus;
  to: BreakerStatus;
  at: Millis;
}

export type BreakerOutcome = 'success' | 'failure';

/** Proof of admission, handed back to `record` so late results of an older generation are ignored. */
export interface BreakerPermit {
  generation: number;
  probe: boolean;
}

export type BreakerAdmission =
  | { allowed: true; permit: BreakerPermit }
  | { allowed: false; retryAfterMs: Millis };

export interface BreakerOptions {
  /** Slices of the rolling window (default 10): outcomes older than `window_ms` drop out one slice at a time. */
  buckets?: number;
}

export interface BreakerStep<T = object> {
  state: BreakerState;
  events: BreakerTransition[];
  result: T;
}

const DEFAULT_BUCKETS = 10;

export function initialBreakerState(now: Millis): BreakerState {
  return { status: 'closed', generation: 0, since: now, openUntil: 0, buckets: [], probesAdmitted: 0, probeSuccesses: 0 };
}

function bucketWidth(settings: CircuitBreakerSettings, options: BreakerOptions): Millis {
  const count = Math.max(1, Math.floor(options.buckets ?? DEFAULT_BUCKETS));
  return Math.max(1, Math.ceil(settings.window_ms / count));
}

/**
 * Buckets still inside the window at `now`: a bucket is dropped once its whole slice is older
 * than `window_ms`, so the window effectively spans between `window_ms` and `window_ms + width`.
 */
function liveBuckets(buckets: readonly BreakerBucket[], settings: CircuitBreakerSettings, options: BreakerOptions, now: Millis): BreakerBucket[] {
  const width = bucketWidth(settings, options);
  return buckets.filter((b) => b.start + width > now - settings.window_ms);
}

function transition(state: BreakerState, to: BreakerStatus, now: Millis, settings: CircuitBreakerSettings, events: BreakerTransition[]): BreakerState {
  events.push({ from: state.status, to, at: now });
  return {
    status: to,
    generation: state.generation + 1,
    since: now,
    openUntil: to === 'open' ? now + settings.open_ms : 0,
    buckets: [],
    probesAdmitted: 0,
    probeSuccesses: 0,
  };
}

/**
 * Applies what time alone changes: open → half_open once `open_ms` has passed; a half-open round
 * whose probes never all reported within `open_ms` of its first probe (their caller died) re-arms
 * its probe slots under a new generation; closed drops expired buckets.
 */
export function advanceBreaker(state: BreakerState, settings: CircuitBreakerSettings, now: Millis, options: BreakerOptions = {}): BreakerStep<BreakerStatus> {
  const events: BreakerTransition[] = [];
  let next = state;
  if (next.status === 'open' && now >= next.openUntil) next = transition(next, 'half_open', now, settings, events);
  if (next.status === 'half_open' && next.probesAdmitted > 0 && now - next.since >= settings.open_ms) {
    next = { ...next, generation: next.generation + 1, since: now, probesAdmitted: 0, probeSuccesses: 0 };
  }
  if (next.status === 'closed') {
    const buckets = liveBuckets(next.buckets, settings, options, now);
    if (buckets.length !== next.buckets.length) next = { ...next, buckets };
  }
  return { state: next, events, result: next.status };
}

/** Admits a call or refuses it with how long until the breaker may admit again. */
export function acquireBreaker(state: BreakerState, settings: CircuitBreakerSettings, now: Millis, options: BreakerOptions = {}): BreakerStep<BreakerAdmission> {
  const advanced = advanceBreaker(state, settings, now, options);
  const current = advanced.state;
  const events = advanced.events;
  if (current.status === 'closed') {
    return { state: current, events, result: { allowed: true, permit: { generation: current.generation, probe: false } } };
  }
  if (current.status === 'open') {
    return { state: current, events, result: { allowed: false, retryAfterMs: Math.max(1, current.openUntil - now) } };
  }
  const probes = Math.max(1, Math.floor(settings.half_open_probes));
  if (current.probesAdmitted < probes) {
    // The first probe of a round restarts the open_ms re-arm clock: counted from an older `since`
    // (a round re-armed by a record or a read long ago), the very next call would re-arm again and
    // admit another probe while this one is still in flight, ignoring its result.
    const since = current.probesAdmitted === 0 ? now : current.since;
    const next = { ...current, since, probesAdmitted: current.probesAdmitted + 1 };
    return { state: next, events, result: { allowed: true, permit: { generation: current.generation, probe: true } } };
  }
  // All probe slots taken: at the latest they are re-armed after open_ms (advanceBreaker).
  return { state: current, events, result: { allowed: false, retryAfterMs: Math.max(1, current.since + settings.open_ms - now) } };
}

/**
 * Records the outcome of an admitted call. Closed: counted in the window; opens when the window
 * holds ≥ `min_requests` calls and the failure share is ≥ `failure_rate_threshold`. Half-open: a
 * probe failure re-opens; once `half_open_probes` probes succeeded the breaker closes. Outcomes
 * whose permit belongs to an older generation (or any outcome while open) change nothing.
 * Without a permit the outcome is taken to belong to the current generation.
 */
export function recordBreaker(
  state: BreakerState,
  settings: CircuitBreakerSettings,
  outcome: BreakerOutcome,
  now: Millis,
  permit?: BreakerPermit,
  options: BreakerOptions = {},
): BreakerStep<BreakerStatus> {
  const advanced = advanceBreaker(state, settings, now, options);
  const events = advanced.events;
  let current = advanced.state;
  if (permit !== undefined && permit.generation !== current.generation) return { state: current, events, result: current.status };

  if (current.status === 'closed') {
    const width = bucketWidth(settings, options);
    const start = Math.floor(now / width) * width;
    const buckets = current.buckets.map((b) => ({ ...b }));
    let bucket = buckets.find((b) => b.start === start);
    if (bucket === undefined) {
      bucket = { start, requests: 0, failures: 0 };
      buckets.push(bucket);
      buckets.sort((a, b) => a.start - b.start);
    }
    bucket.requests += 1;
    if (outcome === 'failure') bucket.failures += 1;
    current = { ...current, buckets };
    const { requests, failures } = windowCounts(current);
    if (outcome === 'failure' && requests >= settings.min_requests && requests > 0 && failures / requests >= settings.failure_rate_threshold) {
      current = transition(current, 'open', now, settings, events);
    }
  } else if (current.status === 'half_open') {
    if (outcome === 'failure') {
      current = transition(current, 'open', now, settings, events);
    } else {
      current = { ...current, probeSuccesses: current.probeSuccesses + 1 };
      if (current.probeSuccesses >= Math.max(1, Math.floor(settings.half_open_probes))) current = transition(current, 'closed', now, settings, events);
    }
  }
  return { state: current, events, result: current.status };
}

/** Calls and failures currently counted (closed state; 0 otherwise). */
export function windowCounts(state: BreakerState): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const b of state.buckets) {
    requests += b.requests;
    failures += b.failures;
  }
  return { requests, failures };
}

/**
 * A breaker holding its state in memory, over the pure functions above. Each call returns the
 * transitions it caused so the caller can emit `breaker.opened` / `breaker.half_open` /
 * `breaker.closed`. `snapshot()` / `CircuitBreaker.from()` move the state to and from a store.
 */
export class CircuitBreaker {
  private current: BreakerState;

  constructor(
    readonly settings: CircuitBreakerSettings,
    now: Millis,
    private readonly options: BreakerOptions = {},
    state?: BreakerState,
  ) {
    this.current = state ?? initialBreakerState(now);
  }

  static from(state: BreakerState, settings: CircuitBreakerSettings, options: BreakerOptions = {}): CircuitBreaker {
    return new CircuitBreaker(settings, state.since, options, state);
  }

  snapshot(): BreakerState {
    return structuredClone(this.current);
  }

  state(now: Millis): { status: BreakerStatus; events: BreakerTransition[] } {
    const step = advanceBreaker(this.current, this.settings, now, this.options);
    this.current = step.state;
    return { status: step.result, events: step.events };
  }

  tryAcquire(now: Millis): BreakerAdmission & { events: BreakerTransition[] } {
    const step = acquireBreaker(this.current, this.settings, now, this.options);
    this.current = step.state;
    return { ...step.result, events: step.events };
  }

  record(outcome: BreakerOutcome, now: Millis, permit?: BreakerPermit): { status: BreakerStatus; events: BreakerTransition[] } {
    const step = recordBreaker(this.current, this.settings, outcome, now, permit, this.options);
    this.current = step.state;
    return { status: step.result, events: step.events };
  }
}
