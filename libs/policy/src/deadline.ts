import type { Millis, TimeoutSettings } from './types';

export interface AttemptTimeouts {
  /** Time allowed to establish the connection. */
  connect_ms: Millis;
  /** Time allowed waiting for / reading the response. */
  read_ms: Millis;
  /** Hard cap for the whole attempt: what is left of the total budget. */
  total_ms: Millis;
}

/**
 * The total budget of one execution, covering every attempt and every backoff wait. Immutable;
 * time comes from the caller's clock.
 */
export class Deadline {
  private constructor(
    readonly startedAt: Millis,
    readonly deadlineAt: Millis,
  ) {}

  /**
   * Starts a budget of `total_ms` at `now`; a caller-requested `requestedMs` (e.g. the
   * `timeout_ms` of /v1/execute) may only shorten it.
   */
  static start(now: Millis, totalMs: Millis, requestedMs?: Millis): Deadline {
    const budget = requestedMs === undefined ? totalMs : Math.min(totalMs, requestedMs);
    return new Deadline(now, now + Math.max(0, budget));
  }

  /** Milliseconds left, never negative. */
  remaining(now: Millis): Millis {
    return Math.max(0, this.deadlineAt - now);
  }

  expired(now: Millis): boolean {
    return this.remaining(now) === 0;
  }

  /** Per-attempt limits: each of connect/read capped by what remains of the total budget. */
  attemptTimeouts(timeout: Pick<TimeoutSettings, 'connect_ms' | 'read_ms'>, now: Millis): AttemptTimeouts {
    const left = this.remaining(now);
    return {
      connect_ms: Math.min(timeout.connect_ms, left),
      read_ms: Math.min(timeout.read_ms, left),
      total_ms: left,
    };
  }
}
