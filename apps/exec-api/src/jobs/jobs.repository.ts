import { Injectable } from '@nestjs/common';
import { And, DataSource, type FindOperator, LessThan, MoreThan } from 'typeorm';
import { assertWorkspaceId, JobEntity, type JobStatus, type Page, RunEntity, type TenantInsert, TenantScopedRepository, type TenantWhere } from '@orch/data';

/** Statuses that count against the workspace's queue_depth quota. */
const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'running'];

export interface JobFilters {
  status?: JobStatus;
  connector?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

export type CreateQueuedResult = { kind: 'created'; job: JobEntity } | { kind: 'queue_full'; depth: number };

/**
 * Queries of the jobs and runs tables, always scoped by workspace. Pages go newest first by
 * (created_at, id) with TenantScopedRepository's opaque keyset cursor.
 */
@Injectable()
export class JobsRepository extends TenantScopedRepository<JobEntity> {
  constructor(private readonly dataSource: DataSource) {
    super(dataSource.getRepository(JobEntity), { sortKey: 'createdAt' });
  }

  /**
   * Inserts a queued job unless the workspace already has `queueDepth` jobs queued or running.
   * The count and the insert run under a per-workspace transaction lock, so concurrent
   * submissions cannot overshoot the quota; the count is one index-only scan of
   * ix_jobs_workspace_status_created.
   */
  async createQueued(workspaceId: string, values: TenantInsert<JobEntity>, queueDepth: number): Promise<CreateQueuedResult> {
    assertWorkspaceId(workspaceId);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`jobs.queue_depth:${workspaceId}`]);
      const rows: Array<{ depth: number }> = await manager.query('SELECT count(*)::int AS depth FROM jobs WHERE workspace_id = $1 AND status = ANY($2::text[])', [
        workspaceId,
        ACTIVE_STATUSES,
      ]);
      const depth = rows[0]?.depth ?? 0;
      if (depth >= queueDepth) return { kind: 'queue_full', depth };
      const job = await new TenantScopedRepository(manager.getRepository(JobEntity)).insert(workspaceId, values);
      return { kind: 'created', job };
    });
  }

  async list(workspaceId: string, filters: JobFilters, page: { limit: number; cursor?: string }): Promise<Page<JobEntity>> {
    const where: TenantWhere<JobEntity> = {};
    if (filters.status !== undefined) where.status = filters.status;
    if (filters.connector !== undefined) where.connector = filters.connector;
    const created: Array<FindOperator<Date>> = [];
    if (filters.createdAfter !== undefined) created.push(MoreThan(filters.createdAfter));
    if (filters.createdBefore !== undefined) created.push(LessThan(filters.createdBefore));
    if (created.length === 1) where.createdAt = created[0];
    if (created.length === 2) where.createdAt = And(...created);
    return this.find(workspaceId, { where, limit: page.limit, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
  }

  /** The job's runs, oldest attempt first. */
  async runsOf(workspaceId: string, jobId: string): Promise<RunEntity[]> {
    assertWorkspaceId(workspaceId);
    return this.dataSource.getRepository(RunEntity).find({ where: { workspaceId, jobId }, order: { attempt: 'ASC' } });
  }

  /** queued → cancelled, only while still queued (a worker taking it concurrently wins or loses cleanly). */
  async cancelQueued(workspaceId: string, id: string, at: Date): Promise<boolean> {
    return (await this.update(workspaceId, { id, status: 'queued' }, { status: 'cancelled', finishedAt: at })) === 1;
  }

  /** Flags a running job for cancellation; false when it is not running, or was flagged already. */
  async requestCancel(workspaceId: string, id: string): Promise<boolean> {
    return (await this.update(workspaceId, { id, status: 'running', cancelRequested: false }, { cancelRequested: true })) === 1;
  }
}
