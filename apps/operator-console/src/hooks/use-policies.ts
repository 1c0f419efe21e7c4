import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import type { PageParams } from '../api/connectors';
import { createPolicy, deletePolicy, fetchPolicies, fetchPolicy, type PolicyBody, updatePolicy } from '../api/policies';
import { queryKeys } from '../api/query-keys';

const RESOURCE = 'policies';

export function usePolicies(workspaceId: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, params), queryFn: ({ signal }) => fetchPolicies(apiClient, workspaceId, params, signal) });
}

export function usePolicy(workspaceId: string, name: string | undefined) {
  return useQuery({ queryKey: queryKeys.workspaceItem(workspaceId, RESOURCE, name ?? ''), queryFn: ({ signal }) => fetchPolicy(apiClient, workspaceId, name ?? '', signal), enabled: !!name });
}

export function useCreatePolicy(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, ...body }: PolicyBody & { name: string; reason: string }) => createPolicy(apiClient, workspaceId, body, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

export function useUpdatePolicy(workspaceId: string, name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, body }: { body: PolicyBody; reason: string }) => updatePolicy(apiClient, workspaceId, name, body, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

export function useDeletePolicy(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, reason }: { name: string; reason: string }) => deletePolicy(apiClient, workspaceId, name, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}
