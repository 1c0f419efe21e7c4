import { useQuery } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { fetchConnectorTypes } from '../api/connector-types';
import { queryKeys } from '../api/query-keys';

/** The deployment's connector types (one list, no pages); they change only with a deploy. */
export function useConnectorTypes(workspaceId: string) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, 'connector-types'), queryFn: ({ signal }) => fetchConnectorTypes(apiClient, workspaceId, signal), staleTime: 5 * 60_000 });
}
