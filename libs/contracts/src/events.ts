/**
 * Event types the execution path writes to event_log (DESIGN §6). One list, so writers, the
 * events API filter and SSE consumers agree on the spelling.
 */
export const EXECUTION_EVENT_TYPES = [
  'execution.started',
  'execution.succeeded',
  'execution.failed',
  'breaker.opened',
  'breaker.half_open',
  'breaker.closed',
  'rate_limited',
  'quota_exceeded',
] as const;

export type ExecutionEventType = (typeof EXECUTION_EVENT_TYPES)[number];

export function isExecutionEventType(value: unknown): value is ExecutionEventType {
  return typeof value === 'string' && (EXECUTION_EVENT_TYPES as readonly string[]).includes(value);
}

/** Job, run and callback transitions (issue 6), written by exec-api, the worker and control-api. */
export const JOB_EVENT_TYPES = [
  'job.queued',
  'job.started',
  'job.retry_scheduled',
  'job.delayed',
  'job.succeeded',
  'job.failed',
  'job.dead_lettered',
  'job.cancel_requested',
  'job.cancelled',
  'job.replayed',
  'job.purged',
  'run.started',
  'run.succeeded',
  'run.failed',
  'callback.delivered',
  'callback.retry_scheduled',
  'callback.failed',
] as const;

export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/**
 * Webhook inbox transitions (issue 7): written by webhook-ingress (received), the worker
 * (processing outcome) and control-api (retry requested). `data` carries the inbox id, the
 * provider, the provider's event id and type, never headers or payloads.
 */
export const WEBHOOK_EVENT_TYPES = [
  'webhook.received',
  'webhook.processing',
  'webhook.processed',
  'webhook.retry_scheduled',
  'webhook.failed',
  'webhook.retry_requested',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Every event type of event_log. */
export const EVENT_TYPES = [...EXECUTION_EVENT_TYPES, ...JOB_EVENT_TYPES, ...WEBHOOK_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * Redis pub/sub channel (after the deployment's key prefix) on which a workspace's newly written
 * events are announced as `{id, type, job_id, execution_id, data, created_at}` JSON, for the SSE
 * streams of every exec-api replica.
 */
export function eventsChannel(workspaceId: string): string {
  return `events:${workspaceId}`;
}
