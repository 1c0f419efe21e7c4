import { DEFAULT_WORKSPACE_SETTINGS } from '../entities/workspace.entity';
import { DEFAULT_POLICY } from './default-policy';

describe('DEFAULT_POLICY', () => {
  it('holds the documented defaults', () => {
    expect(DEFAULT_POLICY).toEqual({
      name: 'default',
      timeout: { connect_ms: 2000, read_ms: 10000, total_ms: 15000 },
      retry: {
        max_attempts: 3,
        base_delay_ms: 100,
        max_delay_ms: 2000,
        jitter: 'full',
        retry_on: ['network', 'timeout', 429, 502, 503, 504],
        respect_retry_after: true,
      },
      circuit_breaker: { window_ms: 30000, min_requests: 10, failure_rate_threshold: 0.5, open_ms: 30000, half_open_probes: 1 },
      rate_limit: { capacity: 100, refill_per_sec: 50 },
      degradation: 'fail_fast',
    });
  });

  it('cannot be changed by one of its users', () => {
    expect(() => DEFAULT_POLICY.retry.retry_on.push(500)).toThrow(TypeError);
    expect(Object.isFrozen(DEFAULT_POLICY.timeout)).toBe(true);
  });
});

describe('DEFAULT_WORKSPACE_SETTINGS', () => {
  it('holds the documented quotas and retention', () => {
    expect(DEFAULT_WORKSPACE_SETTINGS).toEqual({ quotas: { rps: 50, concurrency: 20, queue_depth: 10000 }, retention_days: 30 });
    expect(Object.isFrozen(DEFAULT_WORKSPACE_SETTINGS.quotas)).toBe(true);
  });
});
