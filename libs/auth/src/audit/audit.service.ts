import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AUDIT_GENESIS_HASH, OperatorAuditLogEntity } from '@orch/data';
import { auditActorOf, type Principal } from '../access/principal';
import { auditRowHash } from './audit-chain';
import { redactSecrets } from './redact';

/** Any 64-bit key, the same in every process: it serialises appends to the one chain. */
const AUDIT_CHAIN_LOCK = 7_301_966_455_022;

export interface RequestMeta {
  requestId: string | null;
  ip: string | null;
}

export interface AuditEntry {
  principal: Principal;
  action: string;
  workspaceId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  meta: RequestMeta;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  first_broken_id: string | null;
}

/**
 * Appends to the tamper-evident audit log. Call record() inside the transaction of the change
 * it describes: the row commits with the change or not at all. Appends are serialised by an
 * advisory lock taken in that transaction, so the chain never forks.
 */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<OperatorAuditLogEntity> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const last: Array<{ hash: string }> = await manager.query('SELECT hash FROM operator_audit_log ORDER BY id DESC LIMIT 1');
    const actor = auditActorOf(entry.principal);
    const row = {
      workspaceId: entry.workspaceId ?? null,
      ...actor,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      reason: entry.reason ?? null,
      before: entry.before === undefined ? null : redactSecrets(entry.before),
      after: entry.after === undefined ? null : redactSecrets(entry.after),
      requestId: entry.meta.requestId,
      ip: entry.meta.ip,
      createdAt: new Date(),
      prevHash: last[0]?.hash ?? AUDIT_GENESIS_HASH,
    };
    const hash = auditRowHash(row);
    return manager.getRepository(OperatorAuditLogEntity).save(manager.getRepository(OperatorAuditLogEntity).create({ ...row, hash }));
  }

  /** For records that are not part of a change (denied attempts, reads under break-glass). */
  async recordStandalone(entry: AuditEntry): Promise<void> {
    await this.dataSource.transaction((manager) => this.record(manager, entry));
  }

  /** Recomputes every hash in id order; the first row that does not match breaks the chain. */
  async verify(batchSize = 1000): Promise<AuditVerification> {
    const repository = this.dataSource.getRepository(OperatorAuditLogEntity);
    let checked = 0;
    let expectedPrev = AUDIT_GENESIS_HASH;
    let afterId = '0';
    for (;;) {
      const rows = await repository.createQueryBuilder('a').where('a.id > :afterId', { afterId }).orderBy('a.id', 'ASC').limit(batchSize).getMany();
      if (rows.length === 0) return { ok: true, checked, first_broken_id: null };
      for (const row of rows) {
        if (row.prevHash !== expectedPrev || auditRowHash(row) !== row.hash) return { ok: false, checked, first_broken_id: row.id };
        expectedPrev = row.hash;
        checked += 1;
      }
      afterId = rows[rows.length - 1].id;
    }
  }
}
