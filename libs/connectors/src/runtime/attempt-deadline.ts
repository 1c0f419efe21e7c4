import type { AbortState } from './attempt-outcome';

/**
 * One attempt's abort signal: fires when total_ms runs out, when the optional response deadline
 * passes, or when the caller aborts — and remembers which, so a runtime can tell a `timeout total`
 * or `timeout read` from a cancellation.
 */
export class AttemptDeadline {
  readonly signal: AbortSignal;
  private readonly started = performance.now();
  private readonly total: AbortSignal;
  private readonly response: AbortSignal | undefined;

  constructor(
    totalMs: number,
    private readonly caller?: AbortSignal,
    /** Time for the whole response to arrive, from the start of the attempt. */
    responseMs?: number,
  ) {
    this.total = AbortSignal.timeout(Math.max(1, totalMs));
    this.response = responseMs === undefined ? undefined : AbortSignal.timeout(Math.max(1, responseMs));
    const signals = [this.total, this.response, caller].filter((s): s is AbortSignal => s !== undefined);
    this.signal = signals.length === 1 ? this.total : AbortSignal.any(signals);
  }

  get state(): AbortState {
    const totalExpired = this.total.aborted;
    const responseExpired = !totalExpired && this.response?.aborted === true;
    return { totalExpired, responseExpired, callerAborted: !totalExpired && !responseExpired && this.caller?.aborted === true };
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }
}
