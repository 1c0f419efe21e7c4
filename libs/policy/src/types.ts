// The policy settings this library reads (DESIGN §5). Structural copies of the shapes stored by
// @orch/data (`PolicyTimeout`, `PolicyRetry`, …): type:policy may import only @orch/contracts, and
// TypeScript's structural typing lets the stored objects be passed in unchanged.

/** Milliseconds since the epoch, as the injected clock reports them. */
export type Millis = number;

/** Uniform random number in [0, 1), injected so tests are deterministic (Math.random fits). */
export type RandomSource = () => number;

export interface TimeoutSettings {
  connect_ms: number;
  read_ms: number;
  total_ms: number;
}

/** What a failed attempt may be retried on: a transport failure class or an upstream HTTP status. */
export type RetryCondition = 'network' | 'timeout' | number;

export type JitterMode = 'full' | 'none';

export interface RetrySettings {
  max_attempts: number;
  base_delay_ms: number;
  max_delay_ms: number;
  jitter: JitterMode;
  retry_on: readonly RetryCondition[];
  respect_retry_after: boolean;
}

export interface CircuitBreakerSettings {
  window_ms: number;
  min_requests: number;
  /** 0..1 share of failed calls in the window that opens the breaker. */
  failure_rate_threshold: number;
  open_ms: number;
  half_open_probes: number;
}

export interface RateLimitSettings {
  capacity: number;
  refill_per_sec: number;
}
