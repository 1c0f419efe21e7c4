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
