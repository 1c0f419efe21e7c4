/**
 * Event types the execution path writes to event_log (DESIGN §6). One list, so writers, the
 * events API filter and SSE consumers agree on the spelling. Job and run events (`job.queued`,
 * `run.failed`, …) are not listed here.
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
