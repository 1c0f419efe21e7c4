import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import type { PageParams } from '../api/connectors';
import { queryKeys } from '../api/query-keys';
import { checkSecretRef, createSecretRef, deleteSecretRef, fetchSecretRefs } from '../api/secret-refs';

const RESOURCE = 'secret-refs';

export function useSecretRefs(workspaceId: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, params), queryFn: ({ signal }) => fetchSecretRefs(apiClient, workspaceId, params, signal) });
}

export function useCreateSecretRef(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, ...body }: { name: string; ref: string; reason: string }) => createSecretRef(apiClient, workspaceId, body, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

export function useDeleteSecretRef(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, reason }: { name: string; reason: string }) => deleteSecretRef(apiClient, workspaceId, name, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

/** "Check": resolves the ref now (a read, no reason). */
export function useCheckSecretRef(workspaceId: string) {
  return useMutation({ mutationFn: (name: string) => checkSecretRef(apiClient, workspaceId, name) });
}
