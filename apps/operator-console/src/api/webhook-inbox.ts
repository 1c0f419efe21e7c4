import type { ApiClient } from './client';
import { type Page, workspacePath } from './paths';

export const WEBHOOK_PROVIDERS = ['stripe', 'standard-webhooks', 'hmac-sha256'] as const;
export const WEBHOOK_INBOX_STATUSES = ['received', 'processing', 'processed', 'failed'] as const;
export type WebhookInboxStatus = (typeof WEBHOOK_INBOX_STATUSES)[number];

export interface WebhookInboxItem {
  id: string;
  route_id: string | null;
  provider: string;
  event_id: string;
  event_type: string | null;
  status: WebhookInboxStatus;
  attempts: number;
  last_error: string | null;
  received_at: string;
  processed_at: string | null;
  updated_at: string;
}

export interface WebhookInboxDetail extends WebhookInboxItem {
  headers: Record<string, string>;
  payload: unknown;
  payload_ref?: string;
}

/** Filters of GET …/webhook-inbox (AND); `received_after`/`received_before` both inclusive. */
export interface WebhookInboxFilters {
  provider?: string;
  status?: WebhookInboxStatus | '';
  type?: string;
  route_id?: string;
  received_after?: string;
  received_before?: string;
}

export interface WebhookInboxBulkRetryResult {
  retried: number;
  ids: string[];
  enqueue_failed: number;
}

/** Only failed (the default) and processed rows can be retried. */
export function isRetryable(status: WebhookInboxStatus): boolean {
  return status === 'failed' || status === 'processed';
}

export function fetchWebhookInbox(client: ApiClient, workspaceId: string, filters: WebhookInboxFilters, cursor: string | undefined, signal?: AbortSignal): Promise<Page<WebhookInboxItem>> {
  return client.request<Page<WebhookInboxItem>>(workspacePath(workspaceId, 'webhook-inbox'), { query: { ...filters, cursor, limit: 50 }, signal });
}

export function fetchWebhookInboxItem(client: ApiClient, workspaceId: string, inboxId: string, signal?: AbortSignal): Promise<WebhookInboxDetail> {
  return client.request<WebhookInboxDetail>(workspacePath(workspaceId, `webhook-inbox/${encodeURIComponent(inboxId)}`), { signal });
}

export function retryWebhookInboxItem(client: ApiClient, workspaceId: string, inboxId: string, reason: string): Promise<WebhookInboxItem> {
  return client.request<WebhookInboxItem>(workspacePath(workspaceId, `webhook-inbox/${encodeURIComponent(inboxId)}/retry`), { method: 'POST', body: {}, reason });
}

/** Bulk retry by the list's filters (status: failed unless `processed` is asked for), or by ids. */
export function retryWebhookInbox(client: ApiClient, workspaceId: string, selection: { filters: WebhookInboxFilters; limit?: number } | { ids: string[] }, reason: string): Promise<WebhookInboxBulkRetryResult> {
  let body: Record<string, unknown>;
  if ('ids' in selection) {
    body = { ids: selection.ids };
  } else {
    const { provider, status, type, route_id, received_after, received_before } = selection.filters;
    const filter = Object.fromEntries(
      Object.entries({ provider, status: status === 'processed' ? 'processed' : 'failed', type, route_id, received_after, received_before }).filter(([, value]) => value !== undefined && value !== ''),
    );
    body = selection.limit === undefined ? { filter } : { filter, limit: selection.limit };
  }
  return client.request<WebhookInboxBulkRetryResult>(workspacePath(workspaceId, 'webhook-inbox/retry'), { method: 'POST', body, reason });
}
