import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueue } from '@orch/execution';
import { PeriodicTask } from '../common/periodic-task';
import { WORKER_CONFIG, type WorkerConfig } from '../config';

/** Rows looked at per category and sweep, oldest first. */
const SWEEP_BATCH = 500;
/** Budget assumed for a job whose policy cannot be found (connector deleted). */
const FALLBACK_TOTAL_MS = 60_000;

interface SweptRow {
  id: string;
  workspace_id: string;
  trace_context: { traceparent: string; tracestate?: string } | null;
}

/**
 * Re-enqueues job rows that lost their queue entry (DESIGN §6): Redis down when exec-api wrote the
 * row, a crash between the row and the enqueue, a worker killed after BullMQ gave up on it. The
 * queue entry id is the row id, and adding an id that still has an entry is a no-op, so the sweep
 * may run on every replica at once and never makes a job run twice.
 *
 * - `queued` rows due (delay_until, else updated_at) more than JOB_STUCK_AFTER_MS ago;
 * - `running` rows started more than (policy total + WORKER_STALLED_INTERVAL_MS + JOB_STUCK_AFTER_MS)
 *   ago whose entry is gone (with an entry, BullMQ's stalled-job check redelivers it; the runner
 *   then takes the row over);
 * - terminal rows with callback_status `pending` for JOB_STUCK_AFTER_MS (the callback enqueue failed);
 * - rows with callback_status `delivering` untouched for CALLBACK_TIMEOUT_MS + JOB_STUCK_AFTER_MS whose
 *   `cb-<id>` entry is gone (a crash mid-delivery, or the entry lost with Redis): while a retry
 *   waits, its delayed entry exists and the row is left alone.
 */
@Injectable()
export class JobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobSweeper.name);
  private readonly periodic: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: JobQueue,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.periodic = new PeriodicTask('job sweep', this.config.JOB_SWEEP_EVERY_MS, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.periodic.stop();
  }

  /** One sweep; returns how many rows were handed to the queue (including no-op adds). */
  async sweep(): Promise<{ queued: number; running: number; callbacks: number }> {
    const stuck = this.config.JOB_STUCK_AFTER_MS;
    const queued: SweptRow[] = await this.dataSource.query(
      `SELECT id, workspace_id, trace_context FROM jobs
        WHERE status = 'queued' AND COALESCE(delay_until, updated_at) < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT ${SWEEP_BATCH}`,
      [stuck],
    );
    for (const row of queued) await this.queue.enqueue(toEnqueueable(row));

    const running: SweptRow[] = await this.dataSource.query(
      `SELECT j.id, j.workspace_id, j.trace_context FROM jobs j
         LEFT JOIN connectors c ON c.id = j.connector_id
         LEFT JOIN policies p ON p.id = c.policy_id
        WHERE j.status = 'running'
          AND j.started_at < now() - make_interval(secs => (COALESCE((p.timeout->>'total_ms')::double precision, $1) + $2 + $3) / 1000)
        ORDER BY j.started_at LIMIT ${SWEEP_BATCH}`,
      [FALLBACK_TOTAL_MS, this.config.WORKER_STALLED_INTERVAL_MS, stuck],
    );
    let requeued = 0;
    for (const row of running) {
      if (await this.queue.jobs.getJob(row.id)) continue;
      await this.queue.enqueue(toEnqueueable(row));
      requeued++;
    }

    const callbacks: SweptRow[] = await this.dataSource.query(
      `SELECT id, workspace_id, NULL AS trace_context FROM jobs
        WHERE callback_status = 'pending' AND status IN ('succeeded', 'failed', 'dead_lettered', 'cancelled')
          AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT ${SWEEP_BATCH}`,
      [stuck],
    );
    for (const row of callbacks) await this.queue.enqueueCallback({ id: row.id, workspaceId: row.workspace_id });

    const delivering: SweptRow[] = await this.dataSource.query(
      `SELECT id, workspace_id, NULL AS trace_context FROM jobs
        WHERE callback_status = 'delivering'
          AND updated_at < now() - make_interval(secs => ($1::double precision + $2) / 1000)
        ORDER BY updated_at LIMIT ${SWEEP_BATCH}`,
      [this.config.CALLBACK_TIMEOUT_MS, stuck],
    );
    let redelivered = 0;
    for (const row of delivering) {
      if (await this.queue.callbacks.getJob(`cb-${row.id}`)) continue;
      await this.queue.enqueueCallback({ id: row.id, workspaceId: row.workspace_id });
      redelivered++;
    }
    return { queued: queued.length, running: requeued, callbacks: callbacks.length + redelivered };
  }
}

function toEnqueueable(row: SweptRow): { id: string; workspaceId: string; traceContext: SweptRow['trace_context'] } {
  return { id: row.id, workspaceId: row.workspace_id, traceContext: row.trace_context };
}
