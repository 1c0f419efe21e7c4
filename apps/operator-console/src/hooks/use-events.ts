import { useQuery } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { type EventFilters, fetchExecEvents } from '../api/events';
import { queryKeys } from '../api/query-keys';

/** The first page (500) of an execution's or job's events from exec-api, oldest first. */
export function useExecEvents(workspaceId: string, filters: EventFilters, enabled = true) {
  return useQuery({
    queryKey: queryKeys.workspaceList(workspaceId, 'exec-events', filters),
    queryFn: ({ signal }) => fetchExecEvents(apiClient, { ...filters, limit: 500 }, signal),
    enabled,
  });
}
