import type { ApiClient } from './client';
import type { PageParams } from './connectors';
import { type Page, workspacePath } from './paths';

export type RetryCondition = 'network' | 'timeout' | number;

/** The policy body (docs/05_reliability_policies.md); POLICY_DOCUMENT_SCHEMA in @orch/contracts describes it. */
export interface PolicyBody {
  timeout?: { connect_ms?: number; read_ms?: number; total_ms?: number };
  retry?: { max_attempts?: number; base_delay_ms?: number; max_delay_ms?: number; jitter?: 'full' | 'none'; retry_on?: RetryCondition[]; respect_retry_after?: boolean };
  circuit_breaker?: { window_ms?: number; min_requests?: number; failure_rate_threshold?: number; open_ms?: number; half_open_probes?: number };
  rate_limit?: { capacity?: number; refill_per_sec?: number };
  degradation?: 'fail_fast' | 'queue_with_delay';
}

export interface Policy extends Required<PolicyBody> {
  id: string;
  workspace_id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export function fetchPolicies(client: ApiClient, workspaceId: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<Policy>> {
  return client.request<Page<Policy>>(workspacePath(workspaceId, 'policies'), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function fetchPolicy(client: ApiClient, workspaceId: string, name: string, signal?: AbortSignal): Promise<Policy> {
  return client.request<Policy>(workspacePath(workspaceId, `policies/${encodeURIComponent(name)}`), { signal });
}

export function createPolicy(client: ApiClient, workspaceId: string, body: PolicyBody & { name: string }, reason: string): Promise<Policy> {
  return client.request<Policy>(workspacePath(workspaceId, 'policies'), { method: 'POST', body, reason });
}

export function updatePolicy(client: ApiClient, workspaceId: string, name: string, body: PolicyBody, reason: string): Promise<Policy> {
  return client.request<Policy>(workspacePath(workspaceId, `policies/${encodeURIComponent(name)}`), { method: 'PATCH', body, reason });
}

export function deletePolicy(client: ApiClient, workspaceId: string, name: string, reason: string): Promise<void> {
  return client.request<void>(workspacePath(workspaceId, `policies/${encodeURIComponent(name)}`), { method: 'DELETE', reason });
}
