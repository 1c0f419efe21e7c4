import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { type CallbackQueueData, QUEUES } from '@orch/contracts';
import { CallbackDelivery } from './callback-delivery.service';

/** The `callbacks` queue's processor: thin; a retry keeps the entry (same id) in BullMQ's delayed set. */
@Processor(QUEUES.callbacks, { concurrency: 10 })
export class CallbacksProcessor extends WorkerHost implements OnModuleDestroy {
  constructor(private readonly delivery: CallbackDelivery) {
    super();
  }

  async process(job: Job<CallbackQueueData>, token?: string): Promise<void> {
    const verdict = await this.delivery.deliver(job.data.job_id, job.data.workspace_id);
    if (verdict.kind === 'done') return;
    await job.moveToDelayed(Date.now() + verdict.delayMs, token);
    throw new DelayedError();
  }

  /** Finish the deliveries in progress (each is bounded by CALLBACK_TIMEOUT_MS) before records and the database close. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
