import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ServiceConfig } from '@orch/platform';
import { WithMasterKeys } from '@orch/secrets';

export class WorkerConfig extends WithMasterKeys(ServiceConfig) {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_PORT = 4004;

  /** How often expired Idempotency-Key records (kept 24 h) are deleted, in ms. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  IDEMPOTENCY_PURGE_EVERY_MS = 600_000;

  /**
   * Comma-separated CIDRs that job runs and product callbacks may reach although the egress guard
   * refuses them by default (loopback, private, link-local, metadata…). Empty = only public addresses.
   */
  @IsOptional()
  @IsString()
  EGRESS_ALLOW_CIDRS?: string;

  /** Jobs one worker process runs at the same time. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 10;

  /**
   * Jobs of one workspace running at the same time across all worker replicas (fairness);
   * 0 = max(1, floor(WORKER_CONCURRENCY / 2)).
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  WORKER_WORKSPACE_CONCURRENCY = 0;

  /** BullMQ's stalled-job check interval: how soon a job held by a dead worker is redelivered. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  WORKER_STALLED_INTERVAL_MS = 30_000;

  /**
   * How long a worker's hold on a running job lasts without renewal (renewed every half of it
   * while alive). A killed worker's job is redelivered once this has passed and the stalled check
   * runs: recovery takes about WORKER_LOCK_DURATION_MS + WORKER_STALLED_INTERVAL_MS.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  WORKER_LOCK_DURATION_MS = 30_000;

  /** On shutdown, how long in-flight jobs may finish before they are aborted and released to the queue. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  WORKER_SHUTDOWN_GRACE_MS = 20_000;

  /** How often a running job's cancel_requested flag is read. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(60_000)
  JOB_CANCEL_POLL_MS = 500;

  /** How often the sweeper looks for job rows that lost their queue entry. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  JOB_SWEEP_EVERY_MS = 10_000;

  /** A queued row due this long ago (or a running row this long past its policy budget) is re-enqueued. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  JOB_STUCK_AFTER_MS = 30_000;

  /** Delivery attempts of a product callback before it is given up (callback_status failed). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  CALLBACK_MAX_ATTEMPTS = 8;

  /** First callback retry delay; doubled per attempt (1 s, 2 s, 4 s…). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  CALLBACK_BASE_DELAY_MS = 1000;

  /** Timeout of one callback POST. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  CALLBACK_TIMEOUT_MS = 10_000;

  /** Webhook inbox rows one worker process handles at the same time. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY = 10;

  /** Processing attempts of a webhook inbox row before it is `failed`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  WEBHOOK_MAX_ATTEMPTS = 8;

  /** First webhook retry delay; doubled per attempt (1 s, 2 s, 4 s…) up to WEBHOOK_MAX_DELAY_MS. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  WEBHOOK_BASE_DELAY_MS = 1000;

  /** Longest delay between two webhook attempts. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400_000)
  WEBHOOK_MAX_DELAY_MS = 300_000;

  /** Timeout of one forward POST of a webhook to its target URL. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOK_FORWARD_TIMEOUT_MS = 10_000;

  /** How often the sweeper looks for webhook inbox rows that lost their queue entry. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  WEBHOOK_SWEEP_EVERY_MS = 10_000;

  /** A `received` row untouched this long (its enqueue was lost) is re-enqueued by the sweeper. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  WEBHOOK_RECEIVED_STUCK_AFTER_MS = 30_000;

  /**
   * A `processing` row untouched this long is presumed abandoned by a dead worker: the sweeper
   * re-enqueues it and the next delivery takes it over. Keep it above WEBHOOK_FORWARD_TIMEOUT_MS
   * and the connector policies' total timeouts.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  WEBHOOK_PROCESSING_STUCK_AFTER_MS = 300_000;

  /** How long a connector with its policy is reused before being read again (ms; 0 = every job). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  EXEC_CATALOG_CACHE_MS = 1000;
}

/** Injection token of the validated WorkerConfig. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
