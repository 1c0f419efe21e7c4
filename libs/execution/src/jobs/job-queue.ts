import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { bullPrefix, type CallbackQueueData, type JobQueueData, QUEUE_JOB_NAMES, QUEUES, WEBHOOK_QUEUE_JOB_NAME, type WebhookQueueData } from '@orch/contracts';
import { MicroBatcher, redisConnectionOptions } from '@orch/platform';

export interface JobQueueOptions {
  redisUrl: string;
  redisKeyPrefix: string;
}

/** What is needed to put a job row on the queue. */
export interface EnqueueableJob {
  id: string;
  workspaceId: string;
  /** Not before this time (delay_ms at submission, or a retry's backoff). */
  runAt?: Date | null;
  traceContext?: { traceparent: string; tracestate?: string } | null;
}

const JOB_QUEUE_OPTIONS = Symbol('JOB_QUEUE_OPTIONS');

/**
 * The producer side of the `jobs` and `callbacks` queues, for every process that submits work
 * (exec-api, control-api's DLQ replay, the worker's sweeper and retries). The BullMQ job id is the
 * job row id (DESIGN §6): adding an id that is still queued is a no-op, so the sweeper can
 * re-enqueue blindly. Entries are removed from Redis once processed (the row is the record), so
 * the same id can be enqueued again for a replay.
 *
 * The producer connection fails fast (one retry, no offline queue): with Redis down, `enqueue`
 * rejects within ~2 s instead of hanging the HTTP request; the row stays `queued` and the sweeper
 * enqueues it once Redis is back.
 */
@Injectable()
export class JobQueue implements OnApplicationShutdown {
  readonly jobs: Queue<JobQueueData>;
  readonly callbacks: Queue<CallbackQueueData>;
  readonly webhooks: Queue<WebhookQueueData>;
  private readonly jobAdds = new MicroBatcher<EnqueueableJob, undefined>({
    maxBatch: 100,
    run: async (jobs) => {
      const now = Date.now();
      await this.jobs.addBulk(
        jobs.map((job) => ({
          name: QUEUE_JOB_NAMES.run,
          data: { job_id: job.id, workspace_id: job.workspaceId, ...(job.traceContext ? { trace_context: job.traceContext } : {}) } satisfies JobQueueData,
          opts: { jobId: job.id, delay: job.runAt ? Math.max(0, job.runAt.getTime() - now) : 0, removeOnComplete: true, removeOnFail: true, attempts: 1 },
        })),
      );
      return jobs.map(() => undefined);
    },
  });

  constructor(@Inject(JOB_QUEUE_OPTIONS) options: JobQueueOptions) {
    const connection = { ...redisConnectionOptions(options.redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
    const prefix = bullPrefix(options.redisKeyPrefix);
    this.jobs = new Queue<JobQueueData>(QUEUES.jobs, { connection, prefix });
    this.callbacks = new Queue<CallbackQueueData>(QUEUES.callbacks, { connection, prefix });
    this.webhooks = new Queue<WebhookQueueData>(QUEUES.webhooks, { connection, prefix });
    // Errors surface on the calls that fail; the queue's own connection errors must not crash the process.
    this.jobs.on('error', () => undefined);
    this.callbacks.on('error', () => undefined);
    this.webhooks.on('error', () => undefined);
  }

  /**
   * Adds the job's entry. Entries added at about the same moment (concurrent submissions, a DLQ
   * replay, a sweep) go to Redis together, as one `addBulk` (MicroBatcher); each caller still
   * gets its own resolve or reject.
   */
  async enqueue(job: EnqueueableJob): Promise<void> {
    await this.jobAdds.submit(job);
  }

  async enqueueCallback(job: { id: string; workspaceId: string }, delayMs = 0): Promise<void> {
    await this.callbacks.add(QUEUE_JOB_NAMES.deliver, { job_id: job.id, workspace_id: job.workspaceId }, { jobId: `cb-${job.id}`, delay: delayMs, removeOnComplete: true, removeOnFail: true, attempts: 1 });
  }

  /**
   * Puts a stored webhook_inbox row on the `webhooks` queue; the inbox row id is the BullMQ job id,
   * so a repeat while an entry exists (waiting, delayed for a retry, active) is a no-op. Entries are
   * removed once finished, so the same id can be enqueued again for a retry from the control plane.
   * The worker takes any `received` row, whatever its attempts count.
   */
  async enqueueWebhook(inbox: { id: string; workspaceId: string }): Promise<void> {
    await this.webhooks.add(WEBHOOK_QUEUE_JOB_NAME, { inbox_id: inbox.id, workspace_id: inbox.workspaceId }, { jobId: inbox.id, removeOnComplete: true, removeOnFail: true, attempts: 1 });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.jobs.close(), this.callbacks.close(), this.webhooks.close()]);
  }
}

/** Global: JobQueue for any module of an app that submits jobs. */
@Global()
@Module({})
export class JobQueueModule {
  static forRoot(options: JobQueueOptions): DynamicModule {
    return {
      module: JobQueueModule,
      providers: [{ provide: JOB_QUEUE_OPTIONS, useValue: options }, JobQueue],
      exports: [JobQueue],
    };
  }
}
