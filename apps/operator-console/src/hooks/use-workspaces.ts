import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { createWorkspace, fetchWorkspace, fetchWorkspaces, updateWorkspace, type WorkspaceSettingsPatch } from '../api/workspaces';

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

/** One page of the workspace list (the Workspaces screen). */
export function useWorkspacePage(cursor: string | undefined) {
  const params = { limit: 50, cursor };
  return useQuery({ queryKey: queryKeys.workspaces.list(params), queryFn: ({ signal }) => fetchWorkspaces(apiClient, params, signal) });
}

export function useWorkspace(workspaceId: string) {
  return useQuery({ queryKey: queryKeys.workspaces.detail(workspaceId), queryFn: ({ signal }) => fetchWorkspace(apiClient, workspaceId, signal) });
}

export function useCreateWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, ...body }: { name: string; settings?: WorkspaceSettingsPatch; reason: string }) => createWorkspace(apiClient, body, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspaces.all }),
  });
}

export function useUpdateWorkspace(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, ...body }: { settings?: WorkspaceSettingsPatch; callback_secret_ref?: string | null; reason: string }) => updateWorkspace(apiClient, workspaceId, body, reason),
    onSuccess: (workspace) => {
      queryClient.setQueryData(queryKeys.workspaces.detail(workspaceId), workspace);
      return queryClient.invalidateQueries({ queryKey: queryKeys.workspaces.all });
    },
  });
}
