import { deepFreeze } from '../util/deep-freeze';
import type { DegradationMode, PolicyCircuitBreaker, PolicyRateLimit, PolicyRetry, PolicyTimeout } from '../entities/policy.entity';

export interface PolicyDefinition {
  name: string;
  timeout: PolicyTimeout;
  retry: PolicyRetry;
  circuit_breaker: PolicyCircuitBreaker;
  rate_limit: PolicyRateLimit;
  degradation: DegradationMode;
}

/** The documented defaults (DESIGN §5), seeded as each workspace's `default` policy. */
export const DEFAULT_POLICY: Readonly<PolicyDefinition> = deepFreeze({
  name: 'default',
  timeout: { connect_ms: 2_000, read_ms: 10_000, total_ms: 15_000 },
  retry: {
    max_attempts: 3,
    base_delay_ms: 100,
    max_delay_ms: 2_000,
    jitter: 'full',
    retry_on: ['network', 'timeout', 429, 502, 503, 504],
    respect_retry_after: true,
  },
  circuit_breaker: { window_ms: 30_000, min_requests: 10, failure_rate_threshold: 0.5, open_ms: 30_000, half_open_probes: 1 },
  rate_limit: { capacity: 100, refill_per_sec: 50 },
  degradation: 'fail_fast',
});

