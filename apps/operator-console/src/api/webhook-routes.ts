import type { ApiClient } from './client';
import type { PageParams } from './connectors';
import { type Page, workspacePath } from './paths';

export const WEBHOOK_PROVIDERS = ['stripe', 'standard-webhooks', 'hmac-sha256'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export interface HmacVerification {
  header_name: string;
  encoding: 'hex' | 'base64';
  event_id_path: string;
  prefix?: string;
}

export type WebhookTarget = { kind: 'forward'; url: string } | { kind: 'connector'; connector: string; operation: string } | { kind: 'store' };

export interface WebhookRoute {
  id: string;
  workspace_id: string;
  provider: string;
  route_key: string;
  ingress_path: string;
  provider_account_id: string | null;
  signing_secret_ref: string;
  previous_signing_secret_ref: string | null;
  previous_secret_expires_at: string | null;
  verification: { scheme: string; header_name?: string; encoding?: string; event_id_path?: string; prefix?: string; tolerance_seconds?: number };
  target: { kind: string; url?: string; connector?: string; operation?: string };
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface CreateWebhookRouteBody {
  provider: WebhookProvider;
  signing_secret_ref: string;
  provider_account_id?: string;
  verification?: HmacVerification;
  target: WebhookTarget;
  enabled?: boolean;
}

export interface UpdateWebhookRouteBody {
  signing_secret_ref?: string;
  rotation_grace_seconds?: number;
  provider_account_id?: string | null;
  enabled?: boolean;
}

function routesPath(workspaceId: string, rest = ''): string {
  return workspacePath(workspaceId, `webhook-routes${rest}`);
}

export function fetchWebhookRoutes(client: ApiClient, workspaceId: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<WebhookRoute>> {
  return client.request<Page<WebhookRoute>>(routesPath(workspaceId), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function createWebhookRoute(client: ApiClient, workspaceId: string, body: CreateWebhookRouteBody, reason: string): Promise<WebhookRoute> {
  return client.request<WebhookRoute>(routesPath(workspaceId), { method: 'POST', body, reason });
}

export function updateWebhookRoute(client: ApiClient, workspaceId: string, id: string, body: UpdateWebhookRouteBody, reason: string): Promise<WebhookRoute> {
  return client.request<WebhookRoute>(routesPath(workspaceId, `/${encodeURIComponent(id)}`), { method: 'PATCH', body, reason });
}

export function deleteWebhookRoute(client: ApiClient, workspaceId: string, id: string, reason: string): Promise<void> {
  return client.request<void>(routesPath(workspaceId, `/${encodeURIComponent(id)}`), { method: 'DELETE', reason });
}

/** GET /api/bff/config: console settings the BFF exposes (the webhook-ingress base URL, when configured). */
export interface BffConfig {
  webhook_ingress_url?: string | null;
}

export function fetchBffConfig(client: ApiClient, signal?: AbortSignal): Promise<BffConfig> {
  return client.request<BffConfig>('/api/bff/config', { signal });
}
