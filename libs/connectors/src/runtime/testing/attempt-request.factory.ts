// Test factory for AttemptRequest (used by the runtime specs; not exported from the lib).
import type { ConnectorOperation, HttpMethod } from '../../connector-type';
import type { AttemptLimits, AttemptRequest } from '../runtime';

export const TEST_LIMITS: AttemptLimits = { connect_ms: 1_000, read_ms: 2_000, total_ms: 5_000, max_response_bytes: 1024 * 1024 };

export function httpOperation(method: HttpMethod, path: string, headers?: Record<string, string>): ConnectorOperation {
  return {
    operation_id: 'op',
    title: 'op',
    payload_schema: { type: 'object' },
    output_schema: { type: 'object' },
    http: { method, path_template: path, ...(headers !== undefined ? { headers } : {}) },
  };
}

export function attemptRequest(overrides: Partial<AttemptRequest> & { connector: AttemptRequest['connector']; operation: ConnectorOperation }): AttemptRequest {
  return {
    workspaceId: '00000000-0000-4000-8000-000000000001',
    executionId: '00000000-0000-4000-8000-0000000000e1',
    attempt: 1,
    payload: {},
    secrets: {},
    upstreamIdempotencyKey: 'exec-00000000-0000-4000-8000-0000000000e1',
    limits: TEST_LIMITS,
    ...overrides,
  };
}
