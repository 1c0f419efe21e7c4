import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueue } from '@orch/execution';
import { PeriodicTask } from '../common/periodic-task';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import { WebhookProcessingMetrics } from './webhook-metrics';

/** Rows looked at per category and sweep, oldest first. */
const SWEEP_BATCH = 500;

interface SweptRow {
  id: string;
  workspace_id: string;
}

/**
 * Re-enqueues webhook inbox rows that lost their queue entry: webhook-ingress stored the row but
 * its enqueue failed or timed out (Redis down), or a worker died during an attempt and BullMQ gave
 * the entry up. The entry id is the inbox id and adding an id that still has an entry (waiting,
 * delayed for a retry, active) is a no-op, so the sweep may run on every replica at once.
 *
 * - `received` rows untouched for WEBHOOK_RECEIVED_STUCK_AFTER_MS;
 * - `processing` rows untouched for WEBHOOK_PROCESSING_STUCK_AFTER_MS (the dispatcher takes them over).
 *
 * Each sweep also sets orch_webhook_inbox_lag_seconds.
 */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSweeper.name);
  private readonly periodic: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: JobQueue,
    private readonly metrics: WebhookProcessingMetrics,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.periodic = new PeriodicTask('webhook sweep', this.config.WEBHOOK_SWEEP_EVERY_MS, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.periodic.stop();
  }

  /** One sweep; returns how many rows of each kind were handed to the queue (no-op adds included). */
  async sweep(): Promise<{ received: number; processing: number }> {
    const received: SweptRow[] = await this.dataSource.query(
      `SELECT id, workspace_id FROM webhook_inbox
        WHERE status = 'received' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT ${SWEEP_BATCH}`,
      [this.config.WEBHOOK_RECEIVED_STUCK_AFTER_MS],
    );
    for (const row of received) await this.queue.enqueueWebhook({ id: row.id, workspaceId: row.workspace_id });

    const processing: SweptRow[] = await this.dataSource.query(
      `SELECT id, workspace_id FROM webhook_inbox
        WHERE status = 'processing' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT ${SWEEP_BATCH}`,
      [this.config.WEBHOOK_PROCESSING_STUCK_AFTER_MS],
    );
    for (const row of processing) await this.queue.enqueueWebhook({ id: row.id, workspaceId: row.workspace_id });

    const lag: Array<{ seconds: number | string | null }> = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM now() - min(received_at)) AS seconds FROM webhook_inbox WHERE status IN ('received', 'processing')`,
    );
    this.metrics.inboxLag(Number(lag[0]?.seconds ?? 0));
    return { received: received.length, processing: processing.length };
  }
}
