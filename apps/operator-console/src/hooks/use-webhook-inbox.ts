import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { fetchWebhookInbox, fetchWebhookInboxItem, retryWebhookInbox, retryWebhookInboxItem, type WebhookInboxFilters } from '../api/webhook-inbox';

const RESOURCE = 'webhook-inbox';

export function useWebhookInbox(workspaceId: string, filters: WebhookInboxFilters, cursor: string | undefined) {
  return useQuery({
    queryKey: queryKeys.workspaceList(workspaceId, RESOURCE, { ...filters, cursor }),
    queryFn: ({ signal }) => fetchWebhookInbox(apiClient, workspaceId, filters, cursor, signal),
    placeholderData: keepPreviousData,
  });
}

export function useWebhookInboxItem(workspaceId: string, inboxId: string) {
  return useQuery({
    queryKey: queryKeys.workspaceItem(workspaceId, RESOURCE, inboxId),
    queryFn: ({ signal }) => fetchWebhookInboxItem(apiClient, workspaceId, inboxId, signal),
    refetchInterval: (query) => (query.state.data && ['received', 'processing'].includes(query.state.data.status) ? 3000 : false),
  });
}

export function useRetryWebhookInboxItem(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ inboxId, reason }: { inboxId: string; reason: string }) => retryWebhookInboxItem(apiClient, workspaceId, inboxId, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}

export function useRetryWebhookInbox(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ filters, limit, reason }: { filters: WebhookInboxFilters; limit?: number; reason: string }) => retryWebhookInbox(apiClient, workspaceId, { filters, ...(limit === undefined ? {} : { limit }) }, reason),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workspace(workspaceId, RESOURCE) }),
  });
}
