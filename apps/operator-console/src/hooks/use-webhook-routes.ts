import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import type { PageParams } from '../api/connectors';
import { queryKeys } from '../api/query-keys';
import { type CreateWebhookRouteBody, createWebhookRoute, deleteWebhookRoute, fetchBffConfig, fetchWebhookRoutes, type UpdateWebhookRouteBody, updateWebhookRoute } from '../api/webhook-routes';

const RESOURCE = 'webhook-routes';

export function useWebhookRoutes(workspaceId: string, params: PageParams = {}) {
  return useQuery({ queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, params), queryFn: ({ signal }) => fetchWebhookRoutes(apiClient, workspaceId, params, signal) });
}

function useInvalidate(workspaceId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) });
}

export function useCreateWebhookRoute(workspaceId: string) {
  const invalidate = useInvalidate(workspaceId);
  return useMutation({ mutationFn: ({ reason, body }: { body: CreateWebhookRouteBody; reason: string }) => createWebhookRoute(apiClient, workspaceId, body, reason), onSuccess: invalidate });
}

export function useUpdateWebhookRoute(workspaceId: string) {
  const invalidate = useInvalidate(workspaceId);
  return useMutation({ mutationFn: ({ id, body, reason }: { id: string; body: UpdateWebhookRouteBody; reason: string }) => updateWebhookRoute(apiClient, workspaceId, id, body, reason), onSuccess: invalidate });
}

export function useDeleteWebhookRoute(workspaceId: string) {
  const invalidate = useInvalidate(workspaceId);
  return useMutation({ mutationFn: ({ id, reason }: { id: string; reason: string }) => deleteWebhookRoute(apiClient, workspaceId, id, reason), onSuccess: invalidate });
}

/** The webhook-ingress base URL, if the BFF exposes one (GET /api/bff/config); undefined otherwise. */
export function useIngressBaseUrl(): string | undefined {
  const config = useQuery({ queryKey: queryKeys.global('bff-config'), queryFn: ({ signal }) => fetchBffConfig(apiClient, signal), retry: false, staleTime: Infinity });
  const url = config.data?.webhook_ingress_url;
  return typeof url === 'string' && url !== '' ? url.replace(/\/+$/, '') : undefined;
}
