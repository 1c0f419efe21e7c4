import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { QUEUES, type WebhookQueueData } from '@orch/contracts';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import type { DeliveryVerdict } from '../jobs/job-runner.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/** Delay before a delivery that threw (database or Redis trouble) is tried again. */
const RETRY_DELIVERY_MS = 1000;

/**
 * The `webhooks` queue's processor: thin, one WebhookDispatcher delivery per entry. A retry keeps
 * the entry (same id = inbox id) in BullMQ's delayed set, so a re-enqueue of that id by the sweeper
 * or the control plane meanwhile is a no-op. Started by hand (autorun off) so concurrency and the
 * stalled-job settings come from the validated config.
 */
@Processor(QUEUES.webhooks, { autorun: false })
export class WebhooksProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhooksProcessor.name);

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    super();
  }

  async process(job: Job<WebhookQueueData>, token?: string): Promise<void> {
    let verdict: DeliveryVerdict;
    try {
      verdict = await this.dispatcher.handle(job.data);
    } catch (error) {
      this.logger.warn(`webhook ${job.data.inbox_id}: delivery failed, retrying in ${RETRY_DELIVERY_MS} ms: ${error instanceof Error ? error.message : String(error)}`);
      verdict = { kind: 'delay', delayMs: RETRY_DELIVERY_MS };
    }
    if (verdict.kind === 'done') return;
    await job.moveToDelayed(Date.now() + Math.max(0, Math.round(verdict.delayMs)), token);
    throw new DelayedError();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
    this.worker.opts.stalledInterval = this.config.WORKER_STALLED_INTERVAL_MS;
    this.worker.opts.lockDuration = this.config.WORKER_LOCK_DURATION_MS;
    this.worker.on('error', (error) => this.logger.error(`webhooks worker: ${error.message}`));
    this.worker.run().catch((error: unknown) => this.logger.error(`webhooks worker stopped: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** Lets the attempts in flight finish (each bounded by its timeout) before records and the database close. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
