import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { cancelJob, fetchJob, fetchJobs, type JobFilters } from '../api/jobs';
import { queryKeys } from '../api/query-keys';

export function useJobs(workspaceId: string, filters: JobFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: queryKeys.workspaceList(workspaceId, 'jobs', { ...filters, cursor }),
    queryFn: ({ signal }) => fetchJobs(apiClient, workspaceId, filters, cursor, signal),
    placeholderData: keepPreviousData,
  });
}

export function useJob(workspaceId: string, jobId: string) {
  return useQuery({
    queryKey: queryKeys.workspaceItem(workspaceId, 'jobs', jobId),
    queryFn: ({ signal }) => fetchJob(apiClient, workspaceId, jobId, signal),
    // A job that is still moving is worth re-reading while its page is open.
    refetchInterval: (query) => (query.state.data && ['queued', 'running'].includes(query.state.data.status) ? 3000 : false),
  });
}

/** Cancel through exec-api (needs the workspace impersonated); refreshes the job views and the DLQ. */
export function useCancelJob(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => cancelJob(apiClient, jobId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, 'jobs') }),
  });
}
