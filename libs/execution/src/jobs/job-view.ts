import type { CallbackStatus, JobEntity, JobStatus } from '@orch/data';

/** A job as the API shows it (GET /v1/jobs/:id without `runs`) — also the `data` of a job callback. */
export interface JobView {
  id: string;
  status: JobStatus;
  connector: string;
  operation: string;
  attempts: number;
  max_attempts: number;
  cancel_requested: boolean;
  /** Set by a DLQ replay pinned to a config version (D61). */
  config_version: string | null;
  callback_url: string | null;
  callback: { url: string; status: CallbackStatus | null; attempts: number } | null;
  run_at: string;
  output: unknown;
  error: { code: string; message: string; details?: unknown } | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** One mapping for exec-api's answers and the worker's callbacks, so both always agree. */
export function toJobView(job: JobEntity): JobView {
  return {
    id: job.id,
    status: job.status,
    connector: job.connector,
    operation: job.operation,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    cancel_requested: job.cancelRequested,
    config_version: job.configVersion ?? null,
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
