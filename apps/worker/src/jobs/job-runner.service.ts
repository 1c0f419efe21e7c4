import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { context as otelContext, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { DomainError, type JobQueueData, type JobEventType } from '@orch/contracts';
import { JobEntity, NO_WAL_WAIT_CTE, queryPrepared, RunEntity } from '@orch/data';
import { compareEventIds, entityFromRow, type EventRecord, ExecutionService, type ExecutionOutcome, insertEvents, JobQueue, type PreparedExecution, RecordWriter, type WrittenEvent } from '@orch/execution';
import { MicroBatcher } from '@orch/platform';
import { nextRetryDelay } from '@orch/policy';
import { WORKER_CONFIG, type WorkerConfig } from '../config';

/** What the processor does with the queue entry once the runner is done with a delivery. */
export type DeliveryVerdict = { kind: 'done' } | { kind: 'delay'; delayMs: number };

export interface JobError {
  code: string;
  message: string;
  details?: unknown;
}

const DONE: DeliveryVerdict = { kind: 'done' };
const TERMINAL: ReadonlySet<JobEntity['status']> = new Set(['succeeded', 'failed', 'dead_lettered', 'cancelled']);
/** Budget assumed for a job whose connector cannot be resolved any more. */
const FALLBACK_TOTAL_MS = 60_000;
/** The shortest delay of a job refused at admission (quota, rate limit, open breaker). */
const MIN_ADMISSION_DELAY_MS = 100;
/** Admission refusals that say nothing about the upstream: they delay the job without spending an attempt. */
const DELAYING_CODES: ReadonlySet<string> = new Set(['QUOTA_EXCEEDED', 'RATE_LIMITED']);

interface Claim {
  job: JobEntity;
  runId: string;
  attempt: number;
  takeover: boolean;
}

type AbortReason = 'cancel' | 'shutdown';

/** How a run ends, written together with the job's transition when both change. */
interface RunResult {
  status: RunEntity['status'];
  error: JobError | null;
  upstreamStatus: number | null;
  durationMs: number;
}

/** A job row transition (see JobRunner.transition). */
interface JobChange {
  status: JobEntity['status'];
  output?: unknown;
  error?: JobError | null;
  finishedAt?: boolean;
  delayUntil?: Date;
  attemptsDelta?: number;
}

/** Rows per batched claim or transition statement (a worker runs WORKER_CONCURRENCY deliveries at once). */
const MAX_STATEMENT_BATCH = 100;
/**
 * Claim (and transition) statements in flight at once: with one, a delivery arriving while a
 * batch is committing waits for that batch and then its own. Two batches never touch the same
 * row in practice (a delivery claims its own job); if duplicate deliveries ever made two batches
 * deadlock, Postgres aborts one and its deliveries are retried (JobsProcessor).
 */
const STATEMENTS_IN_FLIGHT = 2;

/**
 * The common delivery's claim, for every delivery that arrived together (MicroBatcher: one
 * statement, one commit): each `queued`, due, not-cancelled row → `running` with one more attempt,
 * and its `runs` row. Anything else (delayed, cancel requested, a takeover of a `running` row,
 * terminal) claims nothing here and takes the general path. Two entries for one job in a batch
 * claim it once (an UPDATE … FROM changes a row once). The claimed attempts' `job.started` and
 * `run.started` events are written by the same statement (their data as JobRunner.startEvents
 * builds it for the general path), so they precede whatever the run writes next. The ids are also
 * given as an array ($2):
 * the planner cannot estimate a recordset's size and would otherwise hash-join every queued job.
 *
 * The rows are found by id (pk_jobs) whatever the statistics say: the status is compared with a
 * sub-select, not a literal, so the planner cannot prove the predicate of ix_jobs_active and read
 * the claim through it. With a literal, a plan made while statistics saw few queued rows (a quiet
 * moment, a new database) read every queued row of the workspace and kept the one asked for: a
 * claim as slow as the backlog is long, exactly when the backlog grows (D71).
 *
 * Its commit does not wait for the WAL flush (NO_WAL_WAIT_CTE, D68):
 * a claim lost to a Postgres crash leaves the job `queued` and its queue entry active, so it runs
 * again — the at-least-once a worker crash gives. The run's transition commits synchronously,
 * which flushes the claim's WAL before it.
 */
export const CLAIM_QUEUED_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(job_id uuid, workspace_id uuid, run_id uuid)
), claimed AS (
  UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, started_at = now(), delay_until = NULL, updated_at = now()
    FROM input i
   WHERE j.id = ANY($2::uuid[]) AND j.id = i.job_id AND j.workspace_id = i.workspace_id AND j.status = (SELECT 'queued'::text) AND j.cancel_requested = false
     AND (j.delay_until IS NULL OR j.delay_until <= now() + interval '20 milliseconds')
  RETURNING j.*, i.run_id AS claim_run_id
), run AS (
  INSERT INTO runs (id, workspace_id, job_id, attempt, status, started_at)
  SELECT c.claim_run_id, c.workspace_id, c.id, COALESCE((SELECT MAX(r.attempt) FROM runs r WHERE r.job_id = c.id), 0) + 1, 'running', now() FROM claimed c
  RETURNING id, attempt
), started AS (
  INSERT INTO event_log (workspace_id, type, execution_id, job_id, data)
  SELECT c.workspace_id, e.type, CASE WHEN e.type = 'run.started' THEN c.claim_run_id END, c.id,
         jsonb_build_object('connector', c.connector, 'operation', c.operation, 'run_id', c.claim_run_id, 'attempt', r.attempt)
           || CASE WHEN e.type = 'job.started' THEN jsonb_build_object('attempts', c.attempts) ELSE '{}'::jsonb END
    FROM claimed c JOIN run r ON r.id = c.claim_run_id CROSS JOIN (VALUES (1, 'job.started'), (2, 'run.started')) AS e(n, type)
   ORDER BY c.id, e.n
  RETURNING id, type, execution_id, job_id, data
), ${NO_WAL_WAIT_CTE}
SELECT claimed.*, run.attempt AS run_attempt,
       (SELECT jsonb_agg(jsonb_build_object('id', s.id::text, 'type', s.type, 'execution_id', s.execution_id, 'data', s.data) ORDER BY s.id)
          FROM started s WHERE s.job_id = claimed.id) AS started_events
  FROM claimed JOIN run ON run.id = claimed.claim_run_id CROSS JOIN no_wal_wait`;

/**
 * Job row transitions (JobRunner.transition) of every delivery that finished together, with their
 * runs rows and their events, in one statement. Each job row changes only while it is still the
 * claimed attempt (`running`, same attempts); its run row is finished whatever that condition
 * says. Columns a transition does not set keep their value (the `set_*` flags). Events marked
 * `if_changed` are written only with their job row's change; committed together, they can never
 * follow an event of what comes next (a DLQ replay, the next attempt). `running` is compared
 * through a sub-select for the reason CLAIM_QUEUED_SQL gives (D71): a literal would let the plan
 * read every running row through ix_jobs_active.
 */
export const TRANSITION_SQL = `
WITH t AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
    i int, job_id uuid, attempts int, status text,
    set_output boolean, output jsonb, set_error boolean, error jsonb, set_delay boolean, delay_until timestamptz,
    finished boolean, attempts_delta int,
    run_id uuid, run_status text, run_duration_ms int, run_upstream_status int, run_error jsonb)
), run AS (
  UPDATE runs r SET status = t.run_status, finished_at = now(), duration_ms = t.run_duration_ms, upstream_status = t.run_upstream_status,
         error = t.run_error, updated_at = now()
    FROM t WHERE r.id = ANY($3::uuid[]) AND r.id = t.run_id
  RETURNING r.id
), job AS (
  UPDATE jobs j SET status = t.status,
         output = CASE WHEN t.set_output THEN t.output ELSE j.output END,
         error = CASE WHEN t.set_error THEN t.error ELSE j.error END,
         delay_until = CASE WHEN t.set_delay THEN t.delay_until ELSE j.delay_until END,
         finished_at = CASE WHEN t.finished THEN now() ELSE j.finished_at END,
         attempts = GREATEST(0, j.attempts + t.attempts_delta),
         updated_at = now()
    FROM t WHERE j.id = ANY($2::uuid[]) AND j.id = t.job_id AND j.status = (SELECT 'running'::text) AND j.attempts = t.attempts
  RETURNING t.i
), ev AS (
  INSERT INTO event_log (workspace_id, type, execution_id, job_id, data)
  SELECT e.workspace_id, e.type, e.execution_id, e.job_id, e.data
    FROM jsonb_to_recordset($4::jsonb) AS e(seq int, i int, if_changed boolean, workspace_id uuid, type text, execution_id uuid, job_id uuid, data jsonb)
   WHERE NOT e.if_changed OR e.i IN (SELECT i FROM job)
   ORDER BY e.seq
  RETURNING id
)
SELECT i, NULL::bigint AS event_id FROM job
UNION ALL
SELECT NULL, id FROM ev`;

interface ClaimRequest {
  job_id: string;
  workspace_id: string;
  run_id: string;
}

interface TransitionRequest {
  claim: Claim;
  change: JobChange;
  run?: RunResult;
  events: TransitionEvents;
}

/** Events of a transition: `ifChanged` only if the job row moved, `always` whatever happened. */
interface TransitionEvents {
  ifChanged?: EventRecord[];
  always?: EventRecord[];
}

/**
 * One delivery of a `jobs` queue entry (issue 6): claim the row (one statement for the common
 * `queued` case, else load it and decide), run one attempt through ExecutionService (the same path
 * as /v1/execute) and move the row to its next state together with its run row. Every
 * transition is a conditional UPDATE on (id, status, attempts), so a duplicate delivery or a
 * takeover can never record over a newer attempt; (job_id, attempt) being unique on `runs` makes a
 * double run of one attempt impossible.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  /** Delivery slots this replica's workspaces hold now (fairness, D57). */
  private readonly slotsHeld = new Map<string, number>();
  private readonly workspaceLimit: number;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly claims: MicroBatcher<ClaimRequest, Claim | undefined>;
  private readonly transitions: MicroBatcher<TransitionRequest, boolean>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly execution: ExecutionService,
    private readonly records: RecordWriter,
    private readonly queue: JobQueue,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.workspaceLimit = config.WORKER_WORKSPACE_CONCURRENCY > 0 ? config.WORKER_WORKSPACE_CONCURRENCY : Math.max(1, Math.floor(config.WORKER_CONCURRENCY / 2));
    this.claims = new MicroBatcher({ maxBatch: MAX_STATEMENT_BATCH, concurrency: STATEMENTS_IN_FLIGHT, run: (requests) => this.claimBatch(requests) });
    this.transitions = new MicroBatcher({ maxBatch: MAX_STATEMENT_BATCH, concurrency: STATEMENTS_IN_FLIGHT, run: (requests) => this.transitionBatch(requests) });
  }

  /** Jobs of one workspace that may run at once on this replica (D57). */
  get perWorkspaceLimit(): number {
    return this.workspaceLimit;
  }

  /** Aborts every run in flight (shutdown after the grace period): each is released back to `queued`. */
  abortAll(): void {
    for (const controller of this.inFlight.values()) controller.abort('shutdown' satisfies AbortReason);
  }

  async handle(data: JobQueueData): Promise<DeliveryVerdict> {
    if (!data.trace_context) return this.deliver(data);
    const carrier: Record<string, string> = { traceparent: data.trace_context.traceparent, ...(data.trace_context.tracestate ? { tracestate: data.trace_context.tracestate } : {}) };
    return otelContext.with(propagation.extract(ROOT_CONTEXT, carrier), () => this.deliver(data));
  }

  private async deliver(data: JobQueueData): Promise<DeliveryVerdict> {
    // Fairness first (D57): a workspace holds at most `workspaceLimit` of this replica's delivery
    // slots; its other jobs wait a moment in the queue (no attempt spent) while other workspaces'
    // jobs use the free slots. Counted in memory: every replica keeps the same share free for the
    // others, without two Redis round trips per job.
    const workspaceId = data.workspace_id;
    const held = this.slotsHeld.get(workspaceId) ?? 0;
    if (held >= this.workspaceLimit) return { kind: 'delay', delayMs: 50 + Math.floor(Math.random() * 150) };
    this.slotsHeld.set(workspaceId, held + 1);
    try {
      const claimed = await this.claimQueued(data);
      if (claimed !== undefined) return await this.runClaimed(claimed);
      const job = await this.dataSource.getRepository(JobEntity).findOne({ where: { id: data.job_id, workspaceId } });
      if (job === null || TERMINAL.has(job.status)) return DONE;
      if (job.status === 'queued' && !job.cancelRequested && job.delayUntil && job.delayUntil.getTime() > Date.now() + 20) {
        return { kind: 'delay', delayMs: job.delayUntil.getTime() - Date.now() };
      }
      return await this.deliverGeneral(job);
    } finally {
      const left = (this.slotsHeld.get(workspaceId) ?? 1) - 1;
      if (left > 0) this.slotsHeld.set(workspaceId, left);
      else this.slotsHeld.delete(workspaceId);
    }
  }

  /** The general path: a row that was not `queued` and due (a takeover, a cancel request, a lost last attempt). */
  private async deliverGeneral(job: JobEntity): Promise<DeliveryVerdict> {
    const prepared = await this.prepare(job);
    const totalMs = prepared instanceof DomainError ? FALLBACK_TOTAL_MS : prepared.resolved.policy.timeout.total_ms;
    const takeoverAfterMs = totalMs + this.config.WORKER_STALLED_INTERVAL_MS;

    if (job.status === 'running') {
      const staleAt = (job.startedAt?.getTime() ?? 0) + takeoverAfterMs;
      // Another worker holds it (a duplicate delivery): look again once its run would be presumed dead.
      if (staleAt > Date.now()) return { kind: 'delay', delayMs: staleAt - Date.now() + 50 };
    }
    if (job.cancelRequested) {
      await this.cancelUnclaimed(job);
      return DONE;
    }
    if (job.status === 'running' && job.attempts >= job.maxAttempts) {
      await this.deadLetterLostRun(job);
      return DONE;
    }

    const claim = await this.claim(job, takeoverAfterMs);
    if (claim === undefined) return DONE;
    if (prepared instanceof DomainError) return this.unprepared(claim, prepared);
    return this.execute(claim, prepared);
  }

  /** One attempt's execution, prepared as /v1/execute prepares it; a job that no longer resolves gets the error to fail with. */
  private async prepare(job: JobEntity): Promise<PreparedExecution | DomainError> {
    try {
      return await this.execution.prepare({
        workspaceId: job.workspaceId,
        connector: job.connector,
        operation: job.operation,
        payload: job.payload,
        jobId: job.id,
        idempotencyBasis: job.id,
        maxAttempts: 1,
      });
    } catch (error) {
      return error instanceof DomainError ? error : new DomainError('INTERNAL', 'the job could not be prepared');
    }
  }

  /** The fast path's claim (CLAIM_QUEUED_SQL, batched); undefined when the row needs the general path. */
  private async claimQueued(data: JobQueueData): Promise<Claim | undefined> {
    return this.claims.submit({ job_id: data.job_id, workspace_id: data.workspace_id, run_id: randomUUID() });
  }

  /** The claims of a batch with their start events (CLAIM_QUEUED_SQL), announced once committed. */
  private async claimBatch(requests: readonly ClaimRequest[]): Promise<Array<Claim | undefined>> {
    const { rows } = await queryPrepared<Record<string, unknown>>(this.dataSource, CLAIM_QUEUED_SQL, [JSON.stringify(requests), requests.map((r) => r.job_id)]);
    const started: WrittenEvent[] = [];
    const byRun = new Map(
      rows.map((row): [string, Claim] => {
        const runId = String(row['claim_run_id']);
        const job = entityFromRow(this.dataSource, JobEntity, row);
        const events = (row['started_events'] ?? []) as Array<{ id: string; type: string; execution_id: string | null; data: Record<string, unknown> }>;
        for (const event of events) started.push({ id: event.id, workspaceId: job.workspaceId, type: event.type, jobId: job.id, executionId: event.execution_id, data: event.data });
        return [runId, { job, runId, attempt: Number(row['run_attempt']), takeover: false }];
      }),
    );
    this.records.announce(started);
    return requests.map((request) => byRun.get(request.run_id));
  }

  /** After the fast claim: the connector is resolved now (cached), and a job that cannot be prepared fails as on the general path. */
  private async runClaimed(claim: Claim): Promise<DeliveryVerdict> {
    const prepared = await this.prepare(claim.job);
    if (prepared instanceof DomainError) return this.unprepared(claim, prepared);
    return this.execute(claim, prepared);
  }

  /** A claimed job whose connector or payload no longer resolves: its run fails and the job is dead-lettered. */
  private async unprepared(claim: Claim, prepareError: DomainError): Promise<DeliveryVerdict> {
    const error = toJobError(prepareError);
    return this.terminalFailure(claim, error, 'not_retryable', { status: 'failed', error, upstreamStatus: null, durationMs: 0 });
  }

  /**
   * queued → running (or a `running` row whose worker is presumed dead → running again), one more
   * attempt, and the attempt's `runs` row, in one transaction.
   */
  private async claim(job: JobEntity, takeoverAfterMs: number): Promise<Claim | undefined> {
    const claimed = await this.dataSource.transaction(async (manager) => {
      // An UPDATE answers [rows, rowCount] through TypeORM's query().
      const [, claimed]: [unknown[], number] = await manager.query(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now(), delay_until = NULL, updated_at = now()
          WHERE id = $1 AND workspace_id = $2 AND cancel_requested = false
            AND (status = 'queued' OR (status = 'running' AND started_at < now() - make_interval(secs => $3::double precision / 1000)))
        RETURNING id`,
        [job.id, job.workspaceId, takeoverAfterMs],
      );
      if (claimed === 0) return undefined;
      const takeover = job.status === 'running';
      if (takeover) {
        await manager.query(`UPDATE runs SET status = 'failed', finished_at = now(), updated_at = now(), error = $2 WHERE job_id = $1 AND status = 'running'`, [
          job.id,
          JSON.stringify({ code: 'INTERNAL', message: 'the worker running this attempt stopped before it finished' }),
        ]);
      }
      const runId = randomUUID();
      // Attempt numbers continue across DLQ replays (history is kept), hence max(attempt), not jobs.attempts.
      const inserted: Array<{ attempt: number }> = await manager.query(
        `INSERT INTO runs (id, workspace_id, job_id, attempt, status, started_at)
         SELECT $1, $2, $3, COALESCE(MAX(attempt), 0) + 1, 'running', now() FROM runs WHERE job_id = $3
         RETURNING attempt`,
        [runId, job.workspaceId, job.id],
      );
      const fresh = await manager.getRepository(JobEntity).findOneOrFail({ where: { id: job.id } });
      const claim: Claim = { job: fresh, runId, attempt: inserted[0]?.attempt ?? 1, takeover };
      return { claim, events: await insertEvents(manager, this.startEvents(claim)) };
    });
    if (claimed === undefined) return undefined;
    this.records.announce(claimed.events);
    return claimed.claim;
  }

  private async execute(claim: Claim, prepared: PreparedExecution): Promise<DeliveryVerdict> {
    const { job, runId } = claim;

    const controller = new AbortController();
    this.inFlight.set(runId, controller);
    const poll = setInterval(() => void this.pollCancel(job.id, controller), this.config.JOB_CANCEL_POLL_MS);
    poll.unref();
    const started = Date.now();
    let outcome: ExecutionOutcome;
    try {
      // The closing script (lease, breaker) goes to Redis while the transition below is written.
      outcome = await this.execution.run({ ...prepared, executionId: runId, input: { ...prepared.input, executionId: runId, signal: controller.signal, finishInBackground: true } });
    } catch (error) {
      // Redis or Postgres failing under the execution path: a retryable failure of this attempt.
      this.logger.warn(`job ${job.id}: execution threw: ${error instanceof Error ? error.message : String(error)}`);
      outcome = { ok: false, executionId: runId, error: new DomainError('INTERNAL', 'the execution failed inside the orchestrator'), phase: 'upstream', attempts: 1, retryable: true };
    } finally {
      clearInterval(poll);
      this.inFlight.delete(runId);
    }
    const durationMs = Date.now() - started;

    if (outcome.ok) {
      const run: RunResult = { status: 'succeeded', error: null, upstreamStatus: outcome.upstream.status, durationMs };
      const done = await this.transition(claim, { status: 'succeeded', output: outcome.output, error: null, finishedAt: true }, run, {
        ifChanged: [this.eventOf(job, 'job.succeeded', { run_id: runId, attempts: job.attempts, upstream_status: outcome.upstream.status })],
      });
      if (done) await this.scheduleCallback(claim.job);
      return DONE;
    }

    const error = toJobError(outcome.error);
    const upstreamStatus = outcome.upstream?.status ?? null;
    const abortReason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
    if (abortReason === 'cancel') {
      const run: RunResult = { status: 'cancelled', error: { code: 'CANCELLED', message: 'the job was cancelled during this run' }, upstreamStatus, durationMs };
      if (await this.transition(claim, { status: 'cancelled', finishedAt: true }, run, { ifChanged: [this.eventOf(job, 'job.cancelled', { run_id: runId, attempts: job.attempts })] })) {
        await this.scheduleCallback(job);
      }
      return DONE;
    }
    if (abortReason === 'shutdown') {
      // Released, not failed: the attempt is given back and another worker picks the job up.
      const run: RunResult = { status: 'failed', error: { code: 'UNAVAILABLE', message: 'the worker shut down during this run' }, upstreamStatus, durationMs };
      await this.transition(claim, { status: 'queued', attemptsDelta: -1, delayUntil: new Date() }, run, {
        always: [this.eventOf(job, 'job.delayed', { run_id: runId, reason: 'worker_shutdown', delay_ms: 0 })],
      });
      return { kind: 'delay', delayMs: 0 };
    }
    if (this.isDelay(outcome, prepared)) {
      // Refused before any upstream call: the run is withdrawn (row deleted) and the attempt not counted.
      const delayMs = Math.max(MIN_ADMISSION_DELAY_MS, outcome.retryAfterMs ?? 1000);
      await this.dataSource.query(`DELETE FROM runs WHERE id = $1`, [runId]);
      await this.transition(claim, { status: 'queued', attemptsDelta: -1, delayUntil: new Date(Date.now() + delayMs) }, undefined, {
        ifChanged: [this.eventOf(job, 'job.delayed', { run_id: runId, reason: error.code, delay_ms: delayMs, withdrawn_run: true })],
      });
      return { kind: 'delay', delayMs };
    }

    const run: RunResult = { status: 'failed', error, upstreamStatus, durationMs };
    if (outcome.retryable && job.attempts < job.maxAttempts) {
      const delayMs = nextRetryDelay({ attempt: job.attempts, retry: prepared.resolved.policy.retry, ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }), random: Math.random });
      await this.transition(claim, { status: 'queued', error, delayUntil: new Date(Date.now() + delayMs) }, run, {
        ifChanged: [this.eventOf(job, 'job.retry_scheduled', { run_id: runId, attempts: job.attempts, max_attempts: job.maxAttempts, delay_ms: delayMs, code: error.code })],
      });
      return { kind: 'delay', delayMs };
    }
    return this.terminalFailure(claim, error, outcome.retryable ? 'attempts_exhausted' : 'not_retryable', run);
  }

  /** Quota and rate-limit refusals always delay; an open breaker delays only under `queue_with_delay`. */
  private isDelay(outcome: Extract<ExecutionOutcome, { ok: false }>, prepared: PreparedExecution): boolean {
    if (outcome.phase !== 'admission' || !outcome.retryable) return false;
    if (DELAYING_CODES.has(outcome.error.code)) return true;
    return outcome.error.code === 'CIRCUIT_OPEN' && prepared.resolved.policy.degradation === 'queue_with_delay';
  }

  /** Every terminal failure is `dead_lettered`, so the DLQ can replay it; `error` says why. */
  private async terminalFailure(claim: Claim, error: JobError, reason: 'attempts_exhausted' | 'not_retryable', run: RunResult): Promise<DeliveryVerdict> {
    const deadLettered = this.eventOf(claim.job, 'job.dead_lettered', { run_id: claim.runId, attempts: claim.job.attempts, max_attempts: claim.job.maxAttempts, reason, code: error.code });
    if (await this.transition(claim, { status: 'dead_lettered', error, finishedAt: true }, run, { ifChanged: [deadLettered] })) {
      await this.scheduleCallback(claim.job);
    }
    return DONE;
  }

  private runEvent(claim: Claim, run: RunResult): EventRecord {
    const durationMs = Math.round(run.durationMs);
    const data = { run_id: claim.runId, attempt: claim.attempt, status: run.status, upstream_status: run.upstreamStatus, duration_ms: durationMs };
    if (run.status === 'succeeded') return this.eventOf(claim.job, 'run.succeeded', data, claim.runId);
    return this.eventOf(claim.job, 'run.failed', { ...data, code: run.error?.code ?? null }, claim.runId);
  }

  /**
   * Moves the claimed row on, unless something newer (a takeover, a purge) happened meanwhile.
   * With `run`, the attempt's `runs` row is finished in the same statement; the run row is written
   * whatever the job row's condition says. Transitions of deliveries that finish together share
   * one statement and one commit (TRANSITION_SQL).
   */
  private async transition(claim: Claim, change: JobChange, run?: RunResult, events: TransitionEvents = {}): Promise<boolean> {
    // The run's own event is written whatever the job row's condition says, as the run row.
    const always = run === undefined ? (events.always ?? []) : [this.runEvent(claim, run), ...(events.always ?? [])];
    const changed = await this.transitions.submit({ claim, change, ...(run === undefined ? {} : { run }), events: { always, ifChanged: events.ifChanged ?? [] } });
    if (changed && change.attemptsDelta) claim.job.attempts += change.attemptsDelta;
    return changed;
  }

  private async transitionBatch(requests: readonly TransitionRequest[]): Promise<boolean[]> {
    const rows = requests.map(({ claim, change, run }, i) => ({
      i,
      job_id: claim.job.id,
      attempts: claim.job.attempts,
      status: change.status,
      set_output: change.output !== undefined,
      output: change.output ?? null,
      set_error: change.error !== undefined,
      error: change.error ?? null,
      set_delay: change.delayUntil !== undefined,
      delay_until: change.delayUntil?.toISOString() ?? null,
      finished: change.finishedAt === true,
      attempts_delta: Math.trunc(change.attemptsDelta ?? 0),
      run_id: run === undefined ? null : claim.runId,
      run_status: run?.status ?? null,
      run_duration_ms: run === undefined ? null : Math.round(run.durationMs),
      run_upstream_status: run?.upstreamStatus ?? null,
      run_error: run?.error ?? null,
    }));
    const events = requests.flatMap(({ events: e }, i) => [
      ...(e.always ?? []).map((record) => ({ i, ifChanged: false, record })),
      ...(e.ifChanged ?? []).map((record) => ({ i, ifChanged: true, record })),
    ]);
    const eventRows = events.map(({ i, ifChanged, record }, seq) => ({
      seq,
      i,
      if_changed: ifChanged,
      workspace_id: record.workspaceId,
      type: record.type,
      execution_id: record.executionId ?? null,
      job_id: record.jobId ?? null,
      data: record.data,
    }));
    const { rows: result } = await queryPrepared<{ i: number | null; event_id: string | null }>(this.dataSource, TRANSITION_SQL, [
      JSON.stringify(rows),
      rows.map((row) => row.job_id),
      rows.flatMap((row) => (row.run_id === null ? [] : [row.run_id])),
      JSON.stringify(eventRows),
    ]);
    const done = new Set(result.flatMap((row) => (row.i === null ? [] : [Number(row.i)])));
    // Event ids follow the insert order (ORDER BY seq): match them to the events that were written.
    const ids = result.flatMap((row) => (row.event_id === null ? [] : [String(row.event_id)])).sort(compareEventIds);
    const written = events.filter((event) => !event.ifChanged || done.has(event.i));
    this.records.announce(written.map((event, k) => ({ ...event.record, id: ids[k] ?? '' })));
    return requests.map((_, i) => done.has(i));
  }

  private async cancelUnclaimed(job: JobEntity): Promise<void> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE jobs SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1 AND status IN ('queued', 'running') AND status = $2`,
      [job.id, job.status],
    );
    if (result[1] === 0) return;
    await this.dataSource.query(`UPDATE runs SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE job_id = $1 AND status = 'running'`, [job.id]);
    this.event(job, 'job.cancelled', { attempts: job.attempts });
    await this.scheduleCallback(job);
  }

  /** A `running` row whose worker died during its last allowed attempt. */
  private async deadLetterLostRun(job: JobEntity): Promise<void> {
    const error: JobError = { code: 'INTERNAL', message: 'the worker running the last attempt stopped before it finished' };
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE jobs SET status = 'dead_lettered', error = $3, finished_at = now(), updated_at = now() WHERE id = $1 AND status = 'running' AND attempts = $2`,
      [job.id, job.attempts, JSON.stringify(error)],
    );
    if (result[1] === 0) return;
    await this.dataSource.query(`UPDATE runs SET status = 'failed', finished_at = now(), updated_at = now(), error = $2 WHERE job_id = $1 AND status = 'running'`, [job.id, JSON.stringify(error)]);
    this.event(job, 'job.dead_lettered', { attempts: job.attempts, max_attempts: job.maxAttempts, reason: 'worker_lost', code: error.code });
    await this.scheduleCallback(job);
  }

  private async pollCancel(jobId: string, controller: AbortController): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const rows: Array<{ cancel_requested: boolean }> = await this.dataSource.query(`SELECT cancel_requested FROM jobs WHERE id = $1`, [jobId]);
      if (rows[0]?.cancel_requested) controller.abort('cancel' satisfies AbortReason);
    } catch {
      // The next tick reads again.
    }
  }

  /** Terminal state + callback_url → callback_status `pending` and a callbacks queue entry (the sweeper retries a failed enqueue). */
  private async scheduleCallback(job: JobEntity): Promise<void> {
    if (!job.callbackUrl) return;
    await this.dataSource.query(`UPDATE jobs SET callback_status = 'pending', callback_attempts = 0, updated_at = now() WHERE id = $1`, [job.id]);
    await this.queue.enqueueCallback({ id: job.id, workspaceId: job.workspaceId }).catch((error: unknown) => {
      this.logger.warn(`job ${job.id}: callback not enqueued (the sweeper retries): ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private event(job: JobEntity, type: JobEventType, data: Record<string, unknown>, executionId?: string): void {
    this.records.event(this.eventOf(job, type, data, executionId));
  }

  private eventOf(job: JobEntity, type: JobEventType, data: Record<string, unknown>, executionId?: string): EventRecord {
    return { workspaceId: job.workspaceId, type, jobId: job.id, executionId: executionId ?? null, data: { connector: job.connector, operation: job.operation, ...data } };
  }

  /** A claimed attempt's job.started and run.started. */
  private startEvents(claim: Claim): EventRecord[] {
    const { job, runId } = claim;
    return [
      this.eventOf(job, 'job.started', { run_id: runId, attempt: claim.attempt, attempts: job.attempts, ...(claim.takeover ? { takeover: true } : {}) }),
      this.eventOf(job, 'run.started', { run_id: runId, attempt: claim.attempt }, runId),
    ];
  }
}

export function toJobError(error: DomainError): JobError {
  return { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
}
