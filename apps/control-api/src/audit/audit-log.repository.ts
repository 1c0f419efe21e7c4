import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEFAULT_PAGE_SIZE, OperatorAuditLogEntity, type Page } from '@orch/data';
import { decodeCursor, encodeCursor } from '../common/page-cursor';

export interface AuditLogFilter {
  workspaceId?: string;
  actorType?: string;
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

const ROW_ID = /^[0-9]{1,19}$/;

/** Reads of the audit log (writes go through AuditService only). Newest first, paged by id. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findPage(filter: AuditLogFilter, page: { limit?: number; cursor?: string }): Promise<Page<OperatorAuditLogEntity>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const query = this.dataSource.getRepository(OperatorAuditLogEntity).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(limit + 1);
    const equalities: Array<[keyof AuditLogFilter, string]> = [
      ['workspaceId', 'workspace_id'],
      ['actorType', 'actor_type'],
      ['actorId', 'actor_id'],
      ['action', 'action'],
      ['targetType', 'target_type'],
      ['targetId', 'target_id'],
    ];
    for (const [key, column] of equalities) {
      if (filter[key] !== undefined) query.andWhere(`a.${column} = :${key}`, { [key]: filter[key] });
    }
    if (filter.from) query.andWhere('a.created_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.created_at < :to', { to: filter.to });
    if (page.cursor) {
      const [afterId] = decodeCursor(page.cursor, (values) => values.length === 1 && ROW_ID.test(values[0]));
      query.andWhere('a.id < :afterId', { afterId });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }
}
