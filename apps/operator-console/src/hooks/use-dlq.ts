import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { type DlqFilters, type DlqPurgeResult, type DlqReplayResult, type DlqSelection, fetchDlq, purgeDlq, replayDlq } from '../api/dlq';
import { queryKeys } from '../api/query-keys';

export function useDlq(workspaceId: string, filters: DlqFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: queryKeys.workspaceList(workspaceId, 'dlq', { ...filters, cursor }),
    queryFn: ({ signal }) => fetchDlq(apiClient, workspaceId, filters, cursor, signal),
    placeholderData: keepPreviousData,
  });
}

/** A replay or purge of several jobs one by one: what was done, and each job that could not be. */
export interface BatchOutcome<T> {
  result: T;
  failures: Array<{ jobId: string; error: unknown }>;
}

/** Runs `one` for each job id; rejects only when nothing succeeded (so the dialog shows that error). */
async function eachJob<T>(jobIds: string[], one: (jobId: string) => Promise<T>, merge: (results: T[]) => T): Promise<BatchOutcome<T>> {
  const results: T[] = [];
  const failures: BatchOutcome<T>['failures'] = [];
  for (const jobId of jobIds) {
    try {
      results.push(await one(jobId));
    } catch (error) {
      failures.push({ jobId, error });
    }
  }
  if (results.length === 0 && failures.length > 0) throw failures[0].error;
  return { result: merge(results), failures };
}

export type DlqTarget = { jobIds: string[] } | { selection: DlqSelection };

function useInvalidateJobs(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, 'dlq') }), queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, 'jobs') })]);
}

/** Replay selected jobs (one call each, `job_id`) or every job matching a filter (one call). */
export function useReplayDlq(workspaceId: string) {
  const invalidate = useInvalidateJobs(workspaceId);
  return useMutation({
    mutationFn: async ({ target, reason, configVersion }: { target: DlqTarget; reason: string; configVersion?: string }): Promise<BatchOutcome<DlqReplayResult>> => {
      const options = { reason, ...(configVersion ? { config_version: configVersion } : {}) };
      if ('selection' in target) return { result: await replayDlq(apiClient, workspaceId, target.selection, options), failures: [] };
      return eachJob(
        target.jobIds,
        (jobId) => replayDlq(apiClient, workspaceId, { job_id: jobId }, options),
        (results) => ({ replayed: sum(results.map((r) => r.replayed)), job_ids: results.flatMap((r) => r.job_ids), enqueue_failed: sum(results.map((r) => r.enqueue_failed)) }),
      );
    },
    onSettled: invalidate,
  });
}

export function usePurgeDlq(workspaceId: string) {
  const invalidate = useInvalidateJobs(workspaceId);
  return useMutation({
    mutationFn: async ({ target, reason }: { target: DlqTarget; reason: string }): Promise<BatchOutcome<DlqPurgeResult>> => {
      if ('selection' in target) return { result: await purgeDlq(apiClient, workspaceId, target.selection, reason), failures: [] };
      return eachJob(
        target.jobIds,
        (jobId) => purgeDlq(apiClient, workspaceId, { job_id: jobId }, reason),
        (results) => ({ purged: sum(results.map((r) => r.purged)), job_ids: results.flatMap((r) => r.job_ids) }),
      );
    },
    onSettled: invalidate,
  });
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
