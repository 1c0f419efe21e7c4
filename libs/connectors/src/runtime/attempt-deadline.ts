import type { AbortState } from './attempt-outcome';

/** What AbortSignal.timeout() aborts with, so the runtimes see the same reason as before. */
const timeoutReason = (): DOMException => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * One attempt's abort signal: fires when total_ms runs out, when the optional response deadline
 * passes, or when the caller aborts — and remembers which, so a runtime can tell a `timeout total`
 * or `timeout read` from a cancellation.
 *
 * One AbortController and plain (unref'd) timers rather than AbortSignal.timeout() combined with
 * AbortSignal.any(): on Node 20 those cost ≈ 75 µs per attempt (weak references and a finalisation
 * registry per signal), measured on the jobs path. The price is dispose(), which the runtime
 * calls when the attempt is over (timers cleared, the caller's signal let go).
 */
export class AttemptDeadline {
  readonly signal: AbortSignal;
  private readonly started = performance.now();
  private readonly controller = new AbortController();
  private readonly totalTimer: NodeJS.Timeout;
  private readonly responseTimer: NodeJS.Timeout | undefined;
  private totalExpired = false;
  private responseExpired = false;
  private readonly onCallerAbort = (): void => this.controller.abort(this.caller?.reason);

  constructor(
    totalMs: number,
    private readonly caller?: AbortSignal,
    /** Time for the whole response to arrive, from the start of the attempt. */
    responseMs?: number,
  ) {
    this.signal = this.controller.signal;
    this.totalTimer = setTimeout(() => {
      this.totalExpired = true;
      this.controller.abort(timeoutReason());
    }, Math.max(1, totalMs)).unref();
    this.responseTimer =
      responseMs === undefined
        ? undefined
        : setTimeout(() => {
            this.responseExpired = true;
            this.controller.abort(timeoutReason());
          }, Math.max(1, responseMs)).unref();
    if (caller?.aborted) this.controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get state(): AbortState {
    const totalExpired = this.totalExpired;
    const responseExpired = !totalExpired && this.responseExpired;
    return { totalExpired, responseExpired, callerAborted: !totalExpired && !responseExpired && this.caller?.aborted === true };
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }

  /** The attempt is over: stop the timers and stop listening to the caller's signal. */
  dispose(): void {
    clearTimeout(this.totalTimer);
    if (this.responseTimer !== undefined) clearTimeout(this.responseTimer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}
