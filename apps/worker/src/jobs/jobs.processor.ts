import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { type JobQueueData, QUEUES } from '@orch/contracts';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import { JobRunner } from './job-runner.service';

/** Delay before a delivery that threw (database or Redis trouble) is tried again. */
const RETRY_DELIVERY_MS = 1000;

/**
 * The `jobs` queue's processor: thin, one JobRunner delivery per entry. A job to run later (retry
 * backoff, admission delay, fairness) keeps its queue entry — same id — and goes back to BullMQ's
 * delayed set, so the "id = job row id" dedupe the sweeper relies on always holds.
 *
 * Started by hand (autorun off) so concurrency and the stalled-job interval come from the
 * validated config rather than from decorator constants.
 */
@Processor(QUEUES.jobs, { autorun: false })
export class JobsProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobsProcessor.name);

  constructor(
    private readonly runner: JobRunner,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    super();
  }

  async process(job: Job<JobQueueData>, token?: string): Promise<void> {
    let verdict;
    try {
      verdict = await this.runner.handle(job.data);
    } catch (error) {
      // Postgres or Redis failing under the runner: keep the entry and look again shortly (the
      // conditional UPDATEs make a repeated delivery safe) rather than dropping it to the sweeper.
      this.logger.warn(`job ${job.data.job_id}: delivery failed, retrying in ${RETRY_DELIVERY_MS} ms: ${error instanceof Error ? error.message : String(error)}`);
      verdict = { kind: 'delay' as const, delayMs: RETRY_DELIVERY_MS };
    }
    if (verdict.kind === 'done') return;
    await job.moveToDelayed(Date.now() + Math.max(0, Math.round(verdict.delayMs)), token);
    throw new DelayedError();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    this.worker.opts.stalledInterval = this.config.WORKER_STALLED_INTERVAL_MS;
    this.worker.opts.lockDuration = this.config.WORKER_LOCK_DURATION_MS;
    this.worker.on('error', (error) => this.logger.error(`jobs worker: ${error.message}`));
    this.worker.run().catch((error: unknown) => this.logger.error(`jobs worker stopped: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Graceful shutdown, before the records writer and the database close: take no new job, let the
   * running ones finish for WORKER_SHUTDOWN_GRACE_MS, then abort the rest — each is released back
   * to `queued` with its queue entry delayed, so another replica takes it at once.
   */
  async onModuleDestroy(): Promise<void> {
    const closing = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.WORKER_SHUTDOWN_GRACE_MS);
    });
    const first = await Promise.race([closing.then(() => 'closed' as const), grace]);
    if (timer) clearTimeout(timer);
    if (first === 'timeout') {
      this.logger.warn('shutdown grace period over: releasing the jobs still running');
      this.runner.abortAll();
      await closing;
    }
  }
}
