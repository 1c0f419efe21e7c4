import type { JobEntity } from '@orch/data';

/**
 * The job as `GET /v1/jobs/:id` shows it, without `runs` — the `data` of a callback. Mirrors
 * exec-api's `toJobResponse` field for field (an app cannot import another app; if the mapper
 * moves to a lib, use it here). `callback` is the delivery state as of this attempt.
 */
export function toCallbackJobView(job: JobEntity): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    connector: job.connector,
    operation: job.operation,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    cancel_requested: job.cancelRequested,
    callback_url: job.callbackUrl,
    callback: job.callbackUrl === null ? null : { url: job.callbackUrl, status: job.callbackStatus, attempts: job.callbackAttempts },
    run_at: (job.delayUntil ?? job.createdAt).toISOString(),
    output: job.output ?? null,
    error: job.error ?? null,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
  };
}
