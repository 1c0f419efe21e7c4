import type { ApiClient } from './client';
import { execPath, type Page, workspacePath } from './paths';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'dead_lettered', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobError {
  code: string;
  message: string;
  details?: unknown;
}

/** A job as control-api shows it to operators (no payload). */
export interface Job {
  id: string;
  workspace_id: string;
  connector: string;
  operation: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  error: JobError | null;
  output: unknown;
  config_version: string | null;
  cancel_requested: boolean;
  has_callback: boolean;
  callback_status: string | null;
  callback_attempts: number;
  delay_until: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobRun {
  id: string;
  attempt: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  upstream_status: number | null;
  duration_ms: number | null;
  error: JobError | null;
}

export interface JobDetail extends Job {
  runs: JobRun[];
}

/** Filters of GET …/jobs (AND); times ISO-8601, `created_after` inclusive, `created_before` exclusive. */
export interface JobFilters {
  status?: JobStatus | '';
  connector?: string;
  created_after?: string;
  created_before?: string;
}

export function fetchJobs(client: ApiClient, workspaceId: string, filters: JobFilters, cursor: string | undefined, signal?: AbortSignal): Promise<Page<Job>> {
  return client.request<Page<Job>>(workspacePath(workspaceId, 'jobs'), { query: { ...filters, cursor, limit: 50 }, signal });
}

export function fetchJob(client: ApiClient, workspaceId: string, jobId: string, signal?: AbortSignal): Promise<JobDetail> {
  return client.request<JobDetail>(workspacePath(workspaceId, `jobs/${encodeURIComponent(jobId)}`), { signal });
}

/** exec-api's answer to a cancel: the job, `cancelled` (it was queued) or `cancel_requested` (running). */
export interface CancelledJob {
  id: string;
  status: JobStatus;
  cancel_requested: boolean;
}

/**
 * POST exec-api /v1/jobs/:id/cancel (through the BFF, as the impersonated workspace). exec-api takes
 * no body and no reason: the operator's reason is recorded by the impersonation that allows the call.
 */
export function cancelJob(client: ApiClient, jobId: string): Promise<CancelledJob> {
  return client.request<CancelledJob>(execPath(`/v1/jobs/${encodeURIComponent(jobId)}/cancel`), { method: 'POST' });
}
