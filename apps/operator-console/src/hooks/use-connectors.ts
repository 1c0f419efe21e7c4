import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { createConnector, deleteConnector, fetchConnector, fetchConnectors, type PageParams, updateConnector } from '../api/connectors';
import { queryKeys } from '../api/query-keys';

const RESOURCE = 'connectors';

export function useConnectors(workspaceId: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, params), queryFn: ({ signal }) => fetchConnectors(apiClient, workspaceId, params, signal) });
}

export function useConnector(workspaceId: string, name: string | undefined) {
  return useQuery({ queryKey: queryKeys.workspaceItem(workspaceId, RESOURCE, name ?? ''), queryFn: ({ signal }) => fetchConnector(apiClient, workspaceId, name ?? '', signal), enabled: !!name });
}

export function useCreateConnector(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, ...body }: { name: string; type: string; config: Record<string, unknown>; policy?: string; reason: string }) => createConnector(apiClient, workspaceId, body, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

export function useUpdateConnector(workspaceId: string, name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, ...body }: { config?: Record<string, unknown>; policy?: string; reason: string }) => updateConnector(apiClient, workspaceId, name, body, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

export function useDeleteConnector(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, reason }: { name: string; reason: string }) => deleteConnector(apiClient, workspaceId, name, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}
