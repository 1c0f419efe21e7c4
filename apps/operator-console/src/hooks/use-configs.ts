import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { activateConfig, createConfigVersion, fetchConfigs, fetchConfigVersion, fetchConfigVersions, rollbackConfig } from '../api/configs';
import type { PageParams } from '../api/connectors';
import { queryKeys } from '../api/query-keys';

const RESOURCE = 'configs';

export function useConfigs(workspaceId: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, params), queryFn: ({ signal }) => fetchConfigs(apiClient, workspaceId, params, signal) });
}

export function useConfigVersions(workspaceId: string, name: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, { name, ...params }), queryFn: ({ signal }) => fetchConfigVersions(apiClient, workspaceId, name, params, signal) });
}

export function useConfigVersion(workspaceId: string, name: string, version: string | undefined) {
  return useQuery({
    queryKey: queryKeys.workspaceItem(workspaceId, RESOURCE, `${name}@${version ?? ''}`),
    queryFn: ({ signal }) => fetchConfigVersion(apiClient, workspaceId, name, version ?? '', signal),
    enabled: !!version,
    staleTime: Infinity, // versions are immutable
  });
}

function useInvalidateConfigs(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) });
}

export function useCreateConfigVersion(workspaceId: string) {
  const invalidate = useInvalidateConfigs(workspaceId);
  return useMutation({
    mutationFn: ({ reason, ...body }: { name: string; version?: string; data: Record<string, unknown>; activate?: boolean; reason: string }) => createConfigVersion(apiClient, workspaceId, body, reason),
    onSuccess: invalidate,
  });
}

export function useActivateConfig(workspaceId: string, name: string) {
  const invalidate = useInvalidateConfigs(workspaceId);
  return useMutation({ mutationFn: ({ version, reason }: { version: string; reason: string }) => activateConfig(apiClient, workspaceId, name, version, reason), onSuccess: invalidate });
}

export function useRollbackConfig(workspaceId: string, name: string) {
  const invalidate = useInvalidateConfigs(workspaceId);
  return useMutation({ mutationFn: (reason: string) => rollbackConfig(apiClient, workspaceId, name, reason), onSuccess: invalidate });
}
