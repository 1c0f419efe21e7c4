import type { ApiClient } from './client';
import type { Job } from './jobs';
import { type Page, workspacePath } from './paths';

export interface DeadLetteredJob extends Job {
  dead_lettered_at: string;
}

/** Filters of GET …/dlq (AND). */
export interface DlqFilters {
  connector?: string;
  operation?: string;
  error_code?: string;
  dead_lettered_after?: string;
  dead_lettered_before?: string;
}

/** What a replay or purge takes: one job, or every dead-lettered job matching a filter (oldest first, up to `limit`). */
export type DlqSelection = { job_id: string } | { filter: { connector?: string; operation?: string; error_code?: string; after?: string; before?: string }; limit?: number };

export interface DlqReplayResult {
  replayed: number;
  job_ids: string[];
  enqueue_failed: number;
}

export interface DlqPurgeResult {
  purged: number;
  job_ids: string[];
}

export function fetchDlq(client: ApiClient, workspaceId: string, filters: DlqFilters, cursor: string | undefined, signal?: AbortSignal): Promise<Page<DeadLetteredJob>> {
  return client.request<Page<DeadLetteredJob>>(workspacePath(workspaceId, 'dlq'), { query: { ...filters, cursor, limit: 50 }, signal });
}

/** The list's filters as the replay/purge `filter` (its time bounds are named after/before there). */
export function dlqSelectionOf(filters: DlqFilters, limit?: number): DlqSelection {
  const filter = {
    ...(filters.connector ? { connector: filters.connector } : {}),
    ...(filters.operation ? { operation: filters.operation } : {}),
    ...(filters.error_code ? { error_code: filters.error_code } : {}),
    ...(filters.dead_lettered_after ? { after: filters.dead_lettered_after } : {}),
    ...(filters.dead_lettered_before ? { before: filters.dead_lettered_before } : {}),
  };
  return limit === undefined ? { filter } : { filter, limit };
}

export function replayDlq(client: ApiClient, workspaceId: string, selection: DlqSelection, options: { reason: string; config_version?: string }): Promise<DlqReplayResult> {
  const body = { ...selection, ...(options.config_version ? { config_version: options.config_version } : {}) };
  return client.request<DlqReplayResult>(workspacePath(workspaceId, 'dlq/replay'), { method: 'POST', body, reason: options.reason });
}

export function purgeDlq(client: ApiClient, workspaceId: string, selection: DlqSelection, reason: string): Promise<DlqPurgeResult> {
  return client.request<DlqPurgeResult>(workspacePath(workspaceId, 'dlq'), { method: 'DELETE', body: selection, reason });
}
