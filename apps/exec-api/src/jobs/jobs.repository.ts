import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { And, DataSource, type FindOperator, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import { ACTIVE_JOB_CONDITION, assertWorkspaceId, JobEntity, type JobStatus, type Page, queryPrepared, RunEntity, type TenantInsert, TenantScopedRepository, type TenantWhere } from '@orch/data';
import { entityFromRow, type EventRecord, insertEvents, type WrittenEvent } from '@orch/execution';
import { MicroBatcher } from '@orch/platform';


export interface JobFilters {
  status?: JobStatus;
  connector?: string;
  /** Inclusive, as control-api's jobs list. */
  createdAfter?: Date;
  /** Inclusive, as control-api's jobs list. */
  createdBefore?: Date;
}

export type CreateQueuedResult = { kind: 'created'; job: JobEntity; event: WrittenEvent } | { kind: 'queue_full'; depth: number };

/** The `job.queued` event of a job about to be inserted: written in the same transaction, so it precedes every event of its runs. */
export type QueuedEventOf = (job: JobEntity) => EventRecord;

/** Used when Postgres will not say its max_connections: far more sessions than any deployment here opens. */
const FALLBACK_SESSIONS = 1000;
/** Submissions per shared-lock transaction at most (the headroom grows with it). */
export const MAX_SUBMISSION_BATCH = 25;

interface Created {
  job: JobEntity;
  event: WrittenEvent;
}

interface Submission {
  workspaceId: string;
  values: TenantInsert<JobEntity>;
  eventOf: QueuedEventOf;
  /** Insert only while the workspace has fewer active jobs than this. */
  below: number;
}

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
  /** Submissions far from their workspace's limit that arrive together share one transaction (group commit). */
  private readonly submissions = new MicroBatcher<Submission, Created | undefined>({
    maxBatch: MAX_SUBMISSION_BATCH,
    concurrency: 2,
    // Rows of one batch must name the same columns (a missing one would be NULL, not its default).
    key: (submission) =>
      Object.entries(submission.values)
        .filter(([, value]) => value !== undefined)
        .map(([property]) => property)
        .sort()
        .join(','),
    run: (submissions) => this.insertFarFromLimit(submissions),
  });

  /**
   * Inserts a queued job unless the workspace already has `queueDepth` jobs queued or running
   * (docs/12_decision_log.md D60, D64). Exact under any concurrency, and without serialising the
   * submissions of a workspace while it is far from its limit:
   *
   * - **far from the limit** (fewer than `queueDepth − headroom` active jobs): the submissions that
   *   arrive together go as one transaction — the per-workspace advisory locks in *shared* mode,
   *   then one INSERT … SELECT of all rows guarded per workspace by a bounded count. Concurrent
   *   shared-mode inserts can each miss the others' uncommitted rows, but there are at most as
   *   many of them as Postgres has sessions, each of at most MAX_SUBMISSION_BATCH rows: the
   *   headroom (max_connections × MAX_SUBMISSION_BATCH) covers them;
   * - **near the limit** (the guard refused): the lock is taken in *exclusive* mode, which waits
   *   for every shared holder to commit, then the count is exact and the insert conditional, as
   *   one serialised step per submission.
   *
   * The count reads the partial index ix_jobs_active (active rows only, bounded by LIMIT on the
   * fast path), so it grows with the workspace's backlog, never with its history.
   */
  async createQueued(workspaceId: string, values: TenantInsert<JobEntity>, queueDepth: number, eventOf: QueuedEventOf): Promise<CreateQueuedResult> {
    assertWorkspaceId(workspaceId);
    const headroom = await this.headroom();
    if (queueDepth > headroom) {
      const created = await this.submissions.submit({ workspaceId, values, eventOf, below: queueDepth - headroom });
      if (created !== undefined) return { kind: 'created', ...created };
    }
    return this.dataSource.transaction(async (manager) => {
      await queryPrepared(manager, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey(workspaceId)]);
      const { rows } = await queryPrepared<{ depth: number }>(manager, `SELECT count(*)::int AS depth FROM jobs WHERE workspace_id = $1 AND ${ACTIVE_JOB_CONDITION}`, [workspaceId]);
      const depth = rows[0]?.depth ?? 0;
      if (depth >= queueDepth) return { kind: 'queue_full', depth };
      const job = await new TenantScopedRepository(manager.getRepository(JobEntity)).insert(workspaceId, values);
      const [event] = await insertEvents(manager, [eventOf(job)]);
      return { kind: 'created', job, event: event as WrittenEvent };
    });
  }

  /**
   * The shared-lock path of createQueued for a batch: each submission's job, or undefined for the
   * submissions of a workspace whose active jobs plus its rows in this batch would exceed `below`
   * (they take the exclusive path).
   */
  private async insertFarFromLimit(submissions: readonly Submission[]): Promise<Array<Created | undefined>> {
    const metadata = this.dataSource.getMetadata(JobEntity);
    const columns = ['id', 'workspace_id'];
    const rows = submissions.map(({ workspaceId, values }) => {
      const row: Record<string, unknown> = { id: randomUUID(), workspace_id: workspaceId };
      for (const [property, value] of Object.entries(values)) {
        if (value === undefined || property === 'id' || property === 'workspaceId') continue;
        const column = metadata.findColumnWithPropertyName(property);
        if (column === undefined) throw new Error(`jobs has no column for ${property}`);
        row[column.databaseName] = jsonValueOf(value, column.type, (v) => this.dataSource.driver.preparePersistentValue(v, column));
      }
      return row;
    });
    for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
    const below = new Map<string, number>();
    for (const { workspaceId, below: b } of submissions) below.set(workspaceId, Math.min(b, below.get(workspaceId) ?? b));
    const limits = [...below].map(([workspace_id, limit]) => ({ workspace_id, below: limit }));
    const locks = [...below.keys()].map(lockKey).sort();
    const list = columns.join(', ');

    const inserted = await this.dataSource.transaction(async (manager) => {
      // Sorted, so two batches naming the same workspaces cannot deadlock on these (shared) locks against an exclusive one.
      await queryPrepared(manager, 'SELECT pg_advisory_xact_lock_shared(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n', [locks]);
      // Named per column list: a handful of texts (the optional fields a submission sets), each planned once per connection.
      const { rows: returned } = await queryPrepared<Record<string, unknown>>(
        manager,
        `WITH input AS (SELECT * FROM jsonb_populate_recordset(NULL::jobs, $1::jsonb)),
              limits AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS l(workspace_id uuid, below int)),
              allowed AS (
                SELECT l.workspace_id FROM limits l
                 WHERE (SELECT count(*) FROM (SELECT 1 FROM jobs j WHERE j.workspace_id = l.workspace_id AND j.${ACTIVE_JOB_CONDITION} LIMIT l.below) AS active)
                     + (SELECT count(*) FROM input i WHERE i.workspace_id = l.workspace_id) <= l.below)
         INSERT INTO jobs (${list})
         SELECT ${list} FROM input WHERE workspace_id IN (SELECT workspace_id FROM allowed)
         RETURNING *`,
        [JSON.stringify(rows), JSON.stringify(limits)],
      );
      const byId = new Map(returned.map((row) => [String(row['id']), entityFromRow(this.dataSource, JobEntity, row)]));
      const jobs = rows.map((row) => byId.get(String(row['id'])));
      const created = submissions.flatMap((submission, i) => {
        const job = jobs[i];
        return job === undefined ? [] : [{ job, event: submission.eventOf(job) }];
      });
      const events = await insertEvents(manager, created.map((c) => c.event));
      const written = new Map(created.map((c, i) => [c.job.id, events[i] as WrittenEvent]));
      return jobs.map((job) => (job === undefined ? undefined : { job, event: written.get(job.id) as WrittenEvent }));
    });
    return inserted;
  }

  /** max_connections × batch size bounds the shared-mode rows in flight at once, whatever the number of replicas. */
  private headroom(): Promise<number> {
    this.headroomOnce ??= this.dataSource.query('SHOW max_connections').then(
      (rows: Array<{ max_connections: string }>) => {
        const value = Number(rows[0]?.max_connections);
        return (Number.isInteger(value) && value > 0 ? value : FALLBACK_SESSIONS) * MAX_SUBMISSION_BATCH;
      },
      () => {
        this.headroomOnce = undefined;
        return FALLBACK_SESSIONS * MAX_SUBMISSION_BATCH;
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

/**
 * A column value as JSON for jsonb_populate_recordset: json/jsonb columns as the value itself,
 * the others as TypeORM would bind them (dates as ISO strings).
 */
function jsonValueOf(value: unknown, type: unknown, prepare: (value: unknown) => unknown): unknown {
  if (type === 'json' || type === 'jsonb') return value ?? null;
  const prepared = prepare(value);
  return prepared instanceof Date ? prepared.toISOString() : (prepared ?? null);
}

function lockKey(workspaceId: string): string {
  return `jobs.queue_depth:${workspaceId}`;
}
