import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { fetchWorkspaces } from '../api/workspaces';

/** The workspaces the operator can see (first 200, enough for the switcher). */
export function useWorkspaceOptions() {
  return useQuery({ queryKey: queryKeys.workspaces.list({ limit: 200 }), queryFn: ({ signal }) => fetchWorkspaces(apiClient, { limit: 200 }, signal) });
}

/** The workspace of the current `/w/:workspaceId/…` page. */
export function useWorkspaceId(): string {
  const { workspaceId } = useParams();
  if (!workspaceId) throw new Error('useWorkspaceId is only for pages under /w/:workspaceId');
  return workspaceId;
}
