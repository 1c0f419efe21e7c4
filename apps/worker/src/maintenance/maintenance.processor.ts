import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { MAINTENANCE_JOBS, QUEUES } from '@orch/contracts';
import { IdempotencyService } from '@orch/execution';

export const MAINTENANCE_OPTIONS = Symbol('MAINTENANCE_OPTIONS');

export interface MaintenanceOptions {
  /** IDEMPOTENCY_PURGE_EVERY_MS */
  idempotencyPurgeEveryMs: number;
}

/** Rows deleted per statement, so a large backlog never holds long locks. */
const PURGE_BATCH = 1000;

/** The work behind each maintenance job, kept out of the processor so it reads (and tests) plainly. */
@Injectable()
export class MaintenanceTasks {
  private readonly logger = new Logger(MaintenanceTasks.name);
  private readonly idempotency: IdempotencyService;

  constructor(dataSource: DataSource) {
    this.idempotency = new IdempotencyService(dataSource);
  }

  /** Deletes expired Idempotency-Key records (in batches, until none is left). */
  async purgeIdempotencyKeys(): Promise<number> {
    const total = await this.idempotency.purgeExpired(PURGE_BATCH);
    if (total > 0) this.logger.log(`purged ${total} expired idempotency keys`);
    return total;
  }
}

/** The maintenance queue's processor: thin, one task per job name. */
@Processor(QUEUES.maintenance)
export class MaintenanceProcessor extends WorkerHost {
  constructor(private readonly tasks: MaintenanceTasks) {
    super();
  }

  async process(job: Job): Promise<{ deleted: number }> {
    switch (job.name) {
      case MAINTENANCE_JOBS.idempotencyPurge:
        return { deleted: await this.tasks.purgeIdempotencyKeys() };
      default:
        throw new Error(`unknown maintenance job "${job.name}"`);
    }
  }
}

/**
 * Registers the repeatable maintenance jobs at boot. A job scheduler is keyed by id in Redis,
 * so every replica upserting it leaves one schedule, and each run happens on one worker. Not
 * awaited: with Redis down the worker must still boot (and answer /ready with 503); BullMQ's
 * connection retries for ever, so the schedule is written once Redis is back.
 */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceScheduler.name);

  constructor(
    @InjectQueue(QUEUES.maintenance) private readonly queue: Queue,
    @Inject(MAINTENANCE_OPTIONS) private readonly options: MaintenanceOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.queue
      .upsertJobScheduler(MAINTENANCE_JOBS.idempotencyPurge, { every: this.options.idempotencyPurgeEveryMs }, { name: MAINTENANCE_JOBS.idempotencyPurge, opts: { removeOnComplete: 100, removeOnFail: 100 } })
      .catch((error: unknown) => this.logger.error(`could not schedule ${MAINTENANCE_JOBS.idempotencyPurge}: ${error instanceof Error ? error.message : String(error)}`));
  }
}
