/**
 * Every BullMQ queue of the system, named in one place. Job names and payloads are added
 * per queue as a discriminated union by the issues that add processors.
 */
export const QUEUES = {
  jobs: 'jobs',
  webhooks: 'webhooks',
  callbacks: 'callbacks',
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);

/** Data of a `jobs` queue entry; its BullMQ job id is the job row id (DESIGN §6). */
export interface JobQueueData {
  job_id: string;
  workspace_id: string;
  /** W3C trace context of the submitting request, so the run continues its trace. */
  trace_context?: { traceparent: string; tracestate?: string };
}

/** Data of a `callbacks` queue entry: deliver the terminal state of a job to its callback_url. */
export interface CallbackQueueData {
  job_id: string;
  workspace_id: string;
}

/** Data of a `webhooks` queue entry; its BullMQ job id is the webhook_inbox row id. */
export interface WebhookQueueData {
  inbox_id: string;
  workspace_id: string;
}

/** Job name of `webhooks` queue entries. */
export const WEBHOOK_QUEUE_JOB_NAME = 'process';

/** Job names used on the jobs and callbacks queues. */
export const QUEUE_JOB_NAMES = { run: 'run', deliver: 'deliver' } as const;

/** Job names of the maintenance queue (repeatable jobs the worker schedules for itself). */
export const MAINTENANCE_JOBS = {
  /** Deletes Idempotency-Key records past their 24 h retention. */
  idempotencyPurge: 'idempotency.purge',
} as const;

export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS];

/** BullMQ's key prefix for a deployment's Redis key prefix ("orch:" -> "orch:bull"). */
export function bullPrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}bull`;
}
