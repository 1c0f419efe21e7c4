import type { ApiClient } from './client';
import { controlPath, type Page } from './paths';

export const AUDIT_ACTOR_TYPES = ['operator', 'service', 'system'] as const;

/** One row of the hash-chained audit log (`id` is a numeric string). */
export interface AuditEntry {
  id: string;
  workspace_id: string | null;
  actor_type: string;
  actor_id: string;
  impersonator_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  ip: string | null;
  created_at: string;
  hash: string;
  prev_hash: string;
}

/** Filters of GET /v1/audit (AND); `from` inclusive, `to` exclusive (ISO-8601). */
export interface AuditFilters {
  workspace_id?: string;
  actor_type?: string;
  actor_id?: string;
  action?: string;
  target_type?: string;
  target_id?: string;
  from?: string;
  to?: string;
}

/** GET /v1/audit/verify: every row's hash recomputed in id order. */
export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  first_broken_id: string | null;
}

export function fetchAuditLog(client: ApiClient, filters: AuditFilters, cursor: string | undefined, signal?: AbortSignal): Promise<Page<AuditEntry>> {
  return client.request<Page<AuditEntry>>(controlPath('/v1/audit'), { query: { ...filters, cursor, limit: 50 }, signal });
}

export function verifyAuditChain(client: ApiClient, signal?: AbortSignal): Promise<AuditVerifyResult> {
  return client.request<AuditVerifyResult>(controlPath('/v1/audit/verify'), { signal });
}
