import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { DEFAULT_POLICY, DEFAULT_PAGE_SIZE, JobEntity, type JobStatus, type Page, RunEntity, assertWorkspaceId } from '@orch/data';
import { insertEvents } from '@orch/execution';
import { decodeCursor, encodeCursor, isUuid } from '../common/page-cursor';
import type { DlqFilter, DlqSelection } from './dlq-selection';

export interface JobListFilter {
  status?: JobStatus;
  connector?: string;
  /** Inclusive. */
  createdAfter?: Date;
  /** Exclusive. */
  createdBefore?: Date;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** A dead-lettered job with the time it entered the DLQ. */
export interface DeadLetteredJob {
  job: JobEntity;
  deadLetteredAt: Date;
}

/** A row a replay put back to `queued`. */
export interface ReplayedJob {
  id: string;
  traceContext: { traceparent: string; tracestate?: string } | null;
}

/** A row a purge deleted. */
export interface PurgedJob {
  id: string;
  connector: string;
  operation: string;
}

export interface WrittenEventRow {
  id: string;
  jobId: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * When a job entered the DLQ: the worker sets finished_at on a terminal state; updated_at
 * covers rows written without it.
 */
const DEAD_LETTERED_AT = 'COALESCE(j.finished_at, j.updated_at)';

/**
 * The attempt budget a replay grants: the retry.max_attempts of the policy the job's connector
 * runs with now (its own policy, else the workspace's `default` one), else the built-in default.
 * Looked up in SQL so one statement replays a whole batch.
 */
const REPLAY_BUDGET = `COALESCE(
  (SELECT (p.retry->>'max_attempts')::int FROM connectors c JOIN policies p ON p.id = c.policy_id WHERE c.workspace_id = j.workspace_id AND c.name = j.connector),
  (SELECT (p.retry->>'max_attempts')::int FROM policies p WHERE p.workspace_id = j.workspace_id AND p.name = 'default'),
  ${Number(DEFAULT_POLICY.retry.max_attempts)}
)`;

const TIME_AND_ID = (values: string[]) => values.length === 2 && !Number.isNaN(Date.parse(values[0])) && isUuid(values[1]);

/**
 * Queries of jobs and runs for the control plane's jobs and DLQ routes, and the events a DLQ
 * change writes (reading events is listEvents of @orch/execution).
 * Every method takes the workspace id first and puts it in the WHERE.
 */
export class DlqRepository {
  private constructor(private readonly manager: EntityManager) {}

  static of(manager: EntityManager): DlqRepository {
    return new DlqRepository(manager);
  }

  /** Newest first, paged by (created_at, id). */
  async findJobs(workspaceId: string, filter: JobListFilter, page: PageRequest): Promise<Page<JobEntity>> {
    assertWorkspaceId(workspaceId);
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const query = this.jobs().where('j.workspace_id = :workspaceId', { workspaceId });
    if (filter.status !== undefined) query.andWhere('j.status = :status', { status: filter.status });
    if (filter.connector !== undefined) query.andWhere('j.connector = :connector', { connector: filter.connector });
    if (filter.createdAfter) query.andWhere('j.created_at >= :createdAfter', { createdAfter: filter.createdAfter });
    if (filter.createdBefore) query.andWhere('j.created_at < :createdBefore', { createdBefore: filter.createdBefore });
    if (page.cursor) {
      const [time, id] = decodeCursor(page.cursor, TIME_AND_ID);
      query.andWhere('(j.created_at, j.id) < (:cursorTime, :cursorId)', { cursorTime: new Date(time), cursorId: id });
    }
    const rows = await query.orderBy('j.created_at', 'DESC').addOrderBy('j.id', 'DESC').limit(limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
  }

  async findJob(workspaceId: string, jobId: string): Promise<JobEntity | null> {
    assertWorkspaceId(workspaceId);
    return this.manager.getRepository(JobEntity).findOne({ where: { workspaceId, id: jobId } });
  }

  async findRuns(workspaceId: string, jobId: string): Promise<RunEntity[]> {
    assertWorkspaceId(workspaceId);
    return this.manager.getRepository(RunEntity).find({ where: { workspaceId, jobId }, order: { attempt: 'ASC' } });
  }

  /** Dead-lettered jobs, most recently dead-lettered first, paged by (dead-lettered time, id). */
  async findDeadLettered(workspaceId: string, filter: DlqFilter, page: PageRequest): Promise<Page<DeadLetteredJob>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const query = this.deadLettered(this.jobs(), workspaceId, filter).addSelect(DEAD_LETTERED_AT, 'dead_lettered_at');
    if (page.cursor) {
      const [time, id] = decodeCursor(page.cursor, TIME_AND_ID);
      query.andWhere(`(${DEAD_LETTERED_AT}, j.id) < (:cursorTime, :cursorId)`, { cursorTime: new Date(time), cursorId: id });
    }
    const { entities, raw } = await query.orderBy('dead_lettered_at', 'DESC').addOrderBy('j.id', 'DESC').limit(limit + 1).getRawAndEntities<{ j_id: string; dead_lettered_at: Date }>();
    const times = new Map(raw.map((row) => [row.j_id, new Date(row.dead_lettered_at)]));
    const rows = entities.map((job) => ({ job, deadLetteredAt: times.get(job.id) ?? job.updatedAt }));
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.deadLetteredAt.toISOString(), last.job.id]) : null };
  }

  /**
   * Puts the selected dead-lettered jobs back to `queued` in one statement and returns them.
   * `WHERE status = 'dead_lettered'` is checked again on the row being updated, so concurrent
   * replays (or a purge) of the same job let exactly one of them have it. Runs are kept and the
   * worker numbers the next one after the highest, so (job_id, attempt) stays unique; `attempts`
   * keeps counting with them and max_attempts becomes attempts + the replay budget (REPLAY_BUDGET).
   */
  async replay(workspaceId: string, selection: DlqSelection, configVersion: string | undefined): Promise<ReplayedJob[]> {
    const { sql: target, params } = this.selectionSql(workspaceId, selection, 3);
    const rows: Array<{ id: string; trace_context: ReplayedJob['traceContext'] }> = await this.manager
      .query(
        `WITH picked AS MATERIALIZED (${target})
         UPDATE jobs j
            SET status = 'queued', error = NULL, delay_until = NULL, finished_at = NULL, cancel_requested = false,
                max_attempts = j.attempts + ${REPLAY_BUDGET},
                config_version = COALESCE($2::text, j.config_version),
                updated_at = now()
           FROM picked
          WHERE j.id = picked.id AND j.workspace_id = $1 AND j.status = 'dead_lettered'
          RETURNING j.id, j.trace_context`,
        [workspaceId, configVersion ?? null, ...params],
      )
      .then((result: unknown) => updateRows(result));
    return rows.map((row) => ({ id: row.id, traceContext: row.trace_context }));
  }

  /** Deletes the selected dead-lettered jobs (their runs go by the foreign key's cascade). */
  async purge(workspaceId: string, selection: DlqSelection): Promise<PurgedJob[]> {
    const { sql: target, params } = this.selectionSql(workspaceId, selection, 2);
    const rows: Array<{ id: string; connector: string; operation: string }> = await this.manager
      .query(`WITH picked AS MATERIALIZED (${target}) DELETE FROM jobs j USING picked WHERE j.id = picked.id AND j.workspace_id = $1 AND j.status = 'dead_lettered' RETURNING j.id, j.connector, j.operation`, [workspaceId, ...params])
      .then((result: unknown) => updateRows(result));
    return rows;
  }

  async configVersionExists(workspaceId: string, version: string): Promise<boolean> {
    const rows: unknown[] = await this.manager.query('SELECT 1 FROM configs WHERE workspace_id = $1 AND version = $2 LIMIT 1', [workspaceId, version]);
    return rows.length > 0;
  }

  /** Inserts events of the workspace in the caller's transaction; ids in input order. */
  async insertEvents(workspaceId: string, events: ReadonlyArray<{ jobId: string; type: string; data: Record<string, unknown> }>): Promise<WrittenEventRow[]> {
    assertWorkspaceId(workspaceId);
    const written = await insertEvents(this.manager, events.map((event) => ({ workspaceId, ...event })));
    return written.map((event, i) => ({ ...(events[i] as (typeof events)[number]), id: event.id }));
  }


  private jobs(): SelectQueryBuilder<JobEntity> {
    return this.manager.getRepository(JobEntity).createQueryBuilder('j');
  }

  private deadLettered(query: SelectQueryBuilder<JobEntity>, workspaceId: string, filter: DlqFilter): SelectQueryBuilder<JobEntity> {
    assertWorkspaceId(workspaceId);
    query.where('j.workspace_id = :workspaceId', { workspaceId }).andWhere(`j.status = 'dead_lettered'`);
    if (filter.connector !== undefined) query.andWhere('j.connector = :connector', { connector: filter.connector });
    if (filter.operation !== undefined) query.andWhere('j.operation = :operation', { operation: filter.operation });
    if (filter.errorCode !== undefined) query.andWhere(`j.error->>'code' = :errorCode`, { errorCode: filter.errorCode });
    if (filter.after) query.andWhere(`${DEAD_LETTERED_AT} >= :after`, { after: filter.after });
    if (filter.before) query.andWhere(`${DEAD_LETTERED_AT} < :before`, { before: filter.before });
    return query;
  }

  /**
   * The ids a replay or purge acts on, as a SELECT of `id` with numbered parameters from `first`
   * on ($1 is the workspace id), run once as a MATERIALIZED CTE: as an `IN (…)` sub-plan Postgres
   * may run it again per row, and a LIMIT … FOR UPDATE re-run skips the rows this very statement
   * already changed and takes more than the limit. A filter takes the oldest dead-lettered first,
   * skipping rows another transaction holds, so two batches running at once split the work.
   */
  private selectionSql(workspaceId: string, selection: DlqSelection, first: number): { sql: string; params: unknown[] } {
    assertWorkspaceId(workspaceId);
    if (selection.kind === 'one') return { sql: `SELECT $${first}::uuid AS id`, params: [selection.jobId] };
    const conditions = [`s.workspace_id = $1`, `s.status = 'dead_lettered'`];
    const params: unknown[] = [];
    const add = (condition: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(condition(`$${first + params.length - 1}`));
    };
    const at = 'COALESCE(s.finished_at, s.updated_at)';
    const { filter } = selection;
    if (filter.connector !== undefined) add((p) => `s.connector = ${p}`, filter.connector);
    if (filter.operation !== undefined) add((p) => `s.operation = ${p}`, filter.operation);
    if (filter.errorCode !== undefined) add((p) => `s.error->>'code' = ${p}`, filter.errorCode);
    if (filter.after) add((p) => `${at} >= ${p}`, filter.after);
    if (filter.before) add((p) => `${at} < ${p}`, filter.before);
    params.push(selection.limit);
    const sql = `SELECT s.id FROM jobs s WHERE ${conditions.join(' AND ')} ORDER BY ${at} ASC, s.id ASC LIMIT $${first + params.length - 1} FOR UPDATE SKIP LOCKED`;
    return { sql, params };
  }
}

/** node-postgres through TypeORM answers UPDATE/DELETE … RETURNING as [rows, affected]. */
function updateRows<R>(result: unknown): R[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as R[];
  return result as R[];
}
