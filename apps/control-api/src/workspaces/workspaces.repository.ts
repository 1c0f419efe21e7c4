import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DEFAULT_PAGE_SIZE, DEFAULT_POLICY, type Page, PolicyEntity, SecretRefEntity, WorkspaceEntity, type WorkspaceSettings } from '@orch/data';
import { decodeCursor, encodeCursor, isUuid } from '../common/page-cursor';

export interface WorkspacePageQuery {
  /** Only names ending with this (the deployment's environment). */
  nameSuffix: string;
  /** Only this workspace (a token confined to it). */
  onlyId?: string;
  limit?: number;
  cursor?: string;
}

/** Queries of the workspaces table (not tenant-scoped: it is the tenant). Newest first. */
@Injectable()
export class WorkspacesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<WorkspaceEntity | null> {
    return manager.getRepository(WorkspaceEntity).findOneBy({ id });
  }

  /** The row locked for update, for read-modify-write inside a transaction. */
  async findByIdForUpdate(manager: EntityManager, id: string): Promise<WorkspaceEntity | null> {
    return manager.getRepository(WorkspaceEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async existsByName(name: string): Promise<boolean> {
    return this.dataSource.getRepository(WorkspaceEntity).existsBy({ name });
  }

  async findPage(query: WorkspacePageQuery): Promise<Page<WorkspaceEntity>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const builder = this.dataSource
      .getRepository(WorkspaceEntity)
      .createQueryBuilder('w')
      .where('w.name LIKE :pattern', { pattern: `%${query.nameSuffix}` })
      .orderBy('w.created_at', 'DESC')
      .addOrderBy('w.id', 'DESC')
      .limit(limit + 1);
    if (query.onlyId !== undefined) builder.andWhere('w.id = :onlyId', { onlyId: query.onlyId });
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor, (v) => v.length === 2 && !Number.isNaN(Date.parse(v[0])) && isUuid(v[1]));
      builder.andWhere('(w.created_at, w.id) < (:createdAt, :id)', { createdAt: new Date(createdAt), id });
    }
    const rows = await builder.getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
  }

  async insert(manager: EntityManager, values: { name: string; settings: WorkspaceSettings }): Promise<WorkspaceEntity> {
    const repository = manager.getRepository(WorkspaceEntity);
    return repository.save(repository.create(values));
  }

  /** Every workspace starts with the documented `default` policy (DESIGN §5). */
  async insertDefaultPolicy(manager: EntityManager, workspaceId: string): Promise<PolicyEntity> {
    const repository = manager.getRepository(PolicyEntity);
    return repository.save(
      repository.create({
        workspaceId,
        name: DEFAULT_POLICY.name,
        timeout: { ...DEFAULT_POLICY.timeout },
        retry: { ...DEFAULT_POLICY.retry, retry_on: [...DEFAULT_POLICY.retry.retry_on] },
        circuitBreaker: { ...DEFAULT_POLICY.circuit_breaker },
        rateLimit: { ...DEFAULT_POLICY.rate_limit },
        degradation: DEFAULT_POLICY.degradation,
      }),
    );
  }

  async update(manager: EntityManager, id: string, values: { settings?: WorkspaceSettings; callbackSecretRef?: string | null }): Promise<WorkspaceEntity> {
    const repository = manager.getRepository(WorkspaceEntity);
    await repository.update({ id }, values);
    return repository.findOneByOrFail({ id });
  }

  async secretRefExists(manager: EntityManager, workspaceId: string, name: string): Promise<boolean> {
    return manager.getRepository(SecretRefEntity).exists({ where: { workspaceId, name } });
  }
}
