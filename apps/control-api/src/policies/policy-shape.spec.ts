import { DEFAULT_POLICY, type PolicyEntity } from '@orch/data';
import { defaultPolicyShape, effectivePolicy, mergePolicy, policyProblems } from './policy-shape';

describe('mergePolicy', () => {
  it('fills every section from the base when nothing is given', () => {
    const { timeout, retry, circuit_breaker, rate_limit, degradation } = DEFAULT_POLICY;
    expect(mergePolicy(defaultPolicyShape(), {})).toEqual({ timeout, retry, circuit_breaker, rate_limit, degradation });
  });

  it('replaces only the given fields, one level into each section', () => {
    const merged = mergePolicy(defaultPolicyShape(), { retry: { max_attempts: 5 }, rate_limit: { refill_per_sec: 2.5 }, degradation: 'queue_with_delay' });
    expect(merged.retry).toEqual({ ...DEFAULT_POLICY.retry, max_attempts: 5 });
    expect(merged.rate_limit).toEqual({ capacity: DEFAULT_POLICY.rate_limit.capacity, refill_per_sec: 2.5 });
    expect(merged.timeout).toEqual(DEFAULT_POLICY.timeout);
    expect(merged.degradation).toBe('queue_with_delay');
  });

  it('never shares the retry_on list with the defaults', () => {
    const merged = mergePolicy(DEFAULT_POLICY, {});
    merged.retry.retry_on.push(500);
    expect(DEFAULT_POLICY.retry.retry_on).not.toContain(500);
  });
});

describe('effectivePolicy', () => {
  it('fills defaults into a stored row whose sections lack fields', () => {
    const row = { timeout: {}, retry: { max_attempts: 1 }, circuitBreaker: {}, rateLimit: {}, degradation: 'fail_fast' } as unknown as PolicyEntity;
    const effective = effectivePolicy(row);
    expect(effective.retry.max_attempts).toBe(1);
    expect(effective.circuit_breaker).toEqual(DEFAULT_POLICY.circuit_breaker);
  });
});

describe('policyProblems', () => {
  it('accepts the defaults', () => {
    expect(policyProblems(defaultPolicyShape())).toEqual([]);
  });

  it('points at timeouts longer than the total and a max delay below the base delay', () => {
    const policy = mergePolicy(defaultPolicyShape(), { timeout: { connect_ms: 5000, read_ms: 9000, total_ms: 4000 }, retry: { base_delay_ms: 500, max_delay_ms: 100 } });
    expect(policyProblems(policy).map((p) => p.path)).toEqual(['/timeout/connect_ms', '/timeout/read_ms', '/retry/max_delay_ms']);
  });
});
