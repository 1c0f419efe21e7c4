import { Injectable } from '@nestjs/common';
import { AuditService, type AuditVerification } from '@orch/auth';
import { DomainError } from '@orch/contracts';
import type { OperatorAuditLogEntity, Page } from '@orch/data';
import type { AuditQueryDto } from './dto/audit-query.dto';
import { AuditLogRepository } from './audit-log.repository';

/** Reading and verifying the audit log; appending is AuditService.record, inside each change's transaction. */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly rows: AuditLogRepository,
    private readonly audit: AuditService,
  ) {}

  async list(query: AuditQueryDto): Promise<Page<OperatorAuditLogEntity>> {
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from.getTime() > to.getTime()) {
      throw new DomainError('VALIDATION_FAILED', 'Request validation failed', { details: [{ path: '/to', message: 'must not be before from' }] });
    }
    return this.rows.findPage(
      {
        workspaceId: query.workspace_id,
        actorType: query.actor_type,
        actorId: query.actor_id,
        action: query.action,
        targetType: query.target_type,
        targetId: query.target_id,
        from,
        to,
      },
      { limit: query.limit, cursor: query.cursor },
    );
  }

  async verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
