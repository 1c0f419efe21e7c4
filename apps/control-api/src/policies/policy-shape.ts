import type { FieldError } from '@orch/contracts';
import { DEFAULT_POLICY, type PolicyDefinition, type PolicyEntity } from '@orch/data';

/** A policy's settings (DESIGN §5) without its name. */
export type PolicyShape = Omit<PolicyDefinition, 'name'>;

/** What create and PATCH accept: any section, any field of it; absent values keep the base's. */
export interface PolicyPatch {
  timeout?: Partial<PolicyShape['timeout']>;
  retry?: Partial<PolicyShape['retry']>;
  circuit_breaker?: Partial<PolicyShape['circuit_breaker']>;
  rate_limit?: Partial<PolicyShape['rate_limit']>;
  degradation?: PolicyShape['degradation'];
}

/** `patch` over `base`, one level into each section; never shares arrays with either. */
export function mergePolicy(base: PolicyShape, patch: PolicyPatch): PolicyShape {
  const retry = { ...base.retry, ...defined(patch.retry) };
  return {
    timeout: { ...base.timeout, ...defined(patch.timeout) },
    retry: { ...retry, retry_on: [...retry.retry_on] },
    circuit_breaker: { ...base.circuit_breaker, ...defined(patch.circuit_breaker) },
    rate_limit: { ...base.rate_limit, ...defined(patch.rate_limit) },
    degradation: patch.degradation ?? base.degradation,
  };
}

/** The documented defaults, as a fresh mutable copy. */
export function defaultPolicyShape(): PolicyShape {
  return mergePolicy(DEFAULT_POLICY, {});
}

/** A stored policy with the defaults filled into whatever its sections lack (rows written before a field existed). */
export function effectivePolicy(policy: PolicyEntity): PolicyShape {
  return mergePolicy(defaultPolicyShape(), {
    timeout: policy.timeout,
    retry: policy.retry,
    circuit_breaker: policy.circuitBreaker,
    rate_limit: policy.rateLimit,
    degradation: policy.degradation,
  });
}

/** Bounds between fields, checked on the merged policy (single fields are bounded by the DTOs). */
export function policyProblems(policy: PolicyShape): FieldError[] {
  const problems: FieldError[] = [];
  const { timeout, retry } = policy;
  if (timeout.connect_ms > timeout.total_ms) problems.push({ path: '/timeout/connect_ms', message: `must not exceed total_ms (${timeout.total_ms})` });
  if (timeout.read_ms > timeout.total_ms) problems.push({ path: '/timeout/read_ms', message: `must not exceed total_ms (${timeout.total_ms})` });
  if (retry.max_delay_ms < retry.base_delay_ms) problems.push({ path: '/retry/max_delay_ms', message: `must be at least base_delay_ms (${retry.base_delay_ms})` });
  return problems;
}

function defined<T extends object>(values: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}
