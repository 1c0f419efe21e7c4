import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { And, DataSource, type FindOperator, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import { assertWorkspaceId, JobEntity, type JobStatus, type Page, RunEntity, type TenantInsert, TenantScopedRepository, type TenantWhere } from '@orch/data';
import { entityFromRow } from '@orch/execution';

/** Statuses that count against the workspace's queue_depth quota. */
const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'running'];

export interface JobFilters {
  status?: JobStatus;
  connector?: string;
  /** Inclusive, as control-api's jobs list. */
  createdAfter?: Date;
  /** Inclusive, as control-api's jobs list. */
  createdBefore?: Date;
}

export type CreateQueuedResult = { kind: 'created'; job: JobEntity } | { kind: 'queue_full'; depth: number };

/** Used when Postgres will not say its max_connections: far more sessions than any deployment here opens. */
const FALLBACK_HEADROOM = 1000;

/**
 * Queries of the jobs and runs tables, always scoped by workspace. Pages go newest first by
 * (created_at, id) with TenantScopedRepository's opaque keyset cursor.
 */
@Injectable()
export class JobsRepository extends TenantScopedRepository<JobEntity> {
  constructor(private readonly dataSource: DataSource) {
    super(dataSource.getRepository(JobEntity), { sortKey: 'createdAt' });
  }

  private headroomOnce?: Promise<number>;

  /**
   * Inserts a queued job unless the workspace already has `queueDepth` jobs queued or running
   * (docs/12_decision_log.md D59). Exact under any concurrency, and without serialising the
   * submissions of a workspace while it is far from its limit:
   *
   * - **far from the limit** (fewer than `queueDepth − headroom` active jobs, headroom = the
   *   server's max_connections): the per-workspace advisory lock is taken in *shared* mode, so
   *   these submissions run in parallel, and the row is inserted by one INSERT … SELECT guarded by
   *   a bounded count. Concurrent shared-mode inserts can each miss the others' uncommitted rows,
   *   but they are at most as many as Postgres has sessions, which the headroom covers;
   * - **near the limit** (the guard refused): the lock is taken in *exclusive* mode, which waits
   *   for every shared holder to commit, then the count is exact and the insert conditional, as
   *   one serialised step — the behaviour of every submission before D59.
   *
   * The count is an index-only scan of ix_jobs_workspace_status_created (bounded by LIMIT on the
   * fast path).
   */
  async createQueued(workspaceId: string, values: TenantInsert<JobEntity>, queueDepth: number): Promise<CreateQueuedResult> {
    assertWorkspaceId(workspaceId);
    const headroom = await this.headroom();
    if (queueDepth > headroom) {
      const job = await this.insertFarFromLimit(workspaceId, values, queueDepth - headroom);
      if (job !== undefined) return { kind: 'created', job };
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(workspaceId)]);
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

  /** The shared-lock path of createQueued: the inserted job, or undefined when `below` active jobs exist already. */
  private async insertFarFromLimit(workspaceId: string, values: TenantInsert<JobEntity>, below: number): Promise<JobEntity | undefined> {
    const metadata = this.dataSource.getMetadata(JobEntity);
    const columns = ['id', 'workspace_id'];
    const params: unknown[] = [randomUUID(), workspaceId];
    for (const [property, value] of Object.entries(values)) {
      if (value === undefined || property === 'id' || property === 'workspaceId') continue;
      const column = metadata.findColumnWithPropertyName(property);
      if (column === undefined) throw new Error(`jobs has no column for ${property}`);
      columns.push(column.databaseName);
      params.push(this.dataSource.driver.preparePersistentValue(value, column));
    }
    params.push(ACTIVE_STATUSES, below);
    const n = params.length;
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [lockKey(workspaceId)]);
      const rows: Array<Record<string, unknown>> = await manager.query(
        `INSERT INTO jobs (${columns.join(', ')})
         SELECT ${placeholders}
          WHERE (SELECT count(*) FROM (SELECT 1 FROM jobs WHERE workspace_id = $2 AND status = ANY($${n - 1}::text[]) LIMIT $${n}) AS active) < $${n}
         RETURNING *`,
        params,
      );
      return rows[0] === undefined ? undefined : entityFromRow(this.dataSource, JobEntity, rows[0]);
    });
  }

  /** max_connections bounds the shared-mode inserts in flight at once, whatever the number of replicas. */
  private headroom(): Promise<number> {
    this.headroomOnce ??= this.dataSource.query('SHOW max_connections').then(
      (rows: Array<{ max_connections: string }>) => {
        const value = Number(rows[0]?.max_connections);
        return Number.isInteger(value) && value > 0 ? value : FALLBACK_HEADROOM;
      },
      () => {
        this.headroomOnce = undefined;
        return FALLBACK_HEADROOM;
      },
    );
    return this.headroomOnce;
  }

  async list(workspaceId: string, filters: JobFilters, page: { limit: number; cursor?: string }): Promise<Page<JobEntity>> {
    const where: TenantWhere<JobEntity> = {};
    if (filters.status !== undefined) where.status = filters.status;
    if (filters.connector !== undefined) where.connector = filters.connector;
    const created: Array<FindOperator<Date>> = [];
    if (filters.createdAfter !== undefined) created.push(MoreThanOrEqual(filters.createdAfter));
    if (filters.createdBefore !== undefined) created.push(LessThanOrEqual(filters.createdBefore));
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

function lockKey(workspaceId: string): string {
  return `jobs.queue_depth:${workspaceId}`;
}
