import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import type { PageParams } from '../api/connectors';
import { queryKeys } from '../api/query-keys';
import { createServiceIdentity, fetchServiceIdentities, type IdentityAudience, revokeServiceIdentity, rotateServiceIdentitySecret } from '../api/service-identities';

const RESOURCE = 'service-identities';

export function useServiceIdentities(workspaceId: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, params), queryFn: ({ signal }) => fetchServiceIdentities(apiClient, workspaceId, params, signal) });
}

function useInvalidate(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) });
}

/** The answer carries the client secret: keep it in component state only, never in the query cache. */
export function useCreateServiceIdentity(workspaceId: string) {
  const invalidate = useInvalidate(workspaceId);
  return useMutation({
    mutationFn: ({ reason, ...body }: { name: string; audience: IdentityAudience; scopes: string[]; reason: string }) => createServiceIdentity(apiClient, workspaceId, body, reason),
    onSuccess: invalidate,
  });
}

export function useRevokeServiceIdentity(workspaceId: string) {
  const invalidate = useInvalidate(workspaceId);
  return useMutation({ mutationFn: ({ id, reason }: { id: string; reason: string }) => revokeServiceIdentity(apiClient, workspaceId, id, reason), onSuccess: invalidate });
}

export function useRotateServiceIdentitySecret(workspaceId: string) {
  const invalidate = useInvalidate(workspaceId);
  return useMutation({
    mutationFn: ({ id, grace_seconds, reason }: { id: string; grace_seconds?: number; reason: string }) => rotateServiceIdentitySecret(apiClient, workspaceId, id, grace_seconds === undefined ? {} : { grace_seconds }, reason),
    onSuccess: invalidate,
  });
}
