import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The fields a row's hash covers: everything but its id and its own hash. */
export interface ChainedAuditFields {
  workspaceId: string | null;
  actorType: string;
  actorId: string;
  impersonatorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
  createdAt: Date;
  prevHash: string;
}

/** sha256 over the canonical form of the row, which includes the previous row's hash. */
export function auditRowHash(row: ChainedAuditFields): string {
  const canonical = canonicalJson({
    workspace_id: row.workspaceId,
    actor_type: row.actorType,
    actor_id: row.actorId,
    impersonator_id: row.impersonatorId,
    action: row.action,
    target_type: row.targetType,
    target_id: row.targetId,
    reason: row.reason,
    before: row.before ?? null,
    after: row.after ?? null,
    request_id: row.requestId,
    ip: row.ip,
    created_at: row.createdAt.toISOString(),
    prev_hash: row.prevHash,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
