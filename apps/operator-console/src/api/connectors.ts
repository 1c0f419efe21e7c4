import type { ApiClient } from './client';
import { type Page, workspacePath } from './paths';

export interface Connector {
  id: string;
  workspace_id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  policy: string;
  /** JSON Pointer (into config) of each secret-ref field → the ref name it holds. */
  secret_refs: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface PageParams {
  limit?: number;
  cursor?: string;
}

export function fetchConnectors(client: ApiClient, workspaceId: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<Connector>> {
  return client.request<Page<Connector>>(workspacePath(workspaceId, 'connectors'), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function fetchConnector(client: ApiClient, workspaceId: string, name: string, signal?: AbortSignal): Promise<Connector> {
  return client.request<Connector>(workspacePath(workspaceId, `connectors/${encodeURIComponent(name)}`), { signal });
}

export function createConnector(client: ApiClient, workspaceId: string, body: { name: string; type: string; config: Record<string, unknown>; policy?: string }, reason: string): Promise<Connector> {
  return client.request<Connector>(workspacePath(workspaceId, 'connectors'), { method: 'POST', body, reason });
}

/** `config` is a JSON Merge Patch over the stored config (null removes a key; arrays replace). */
export function updateConnector(client: ApiClient, workspaceId: string, name: string, body: { config?: Record<string, unknown>; policy?: string }, reason: string): Promise<Connector> {
  return client.request<Connector>(workspacePath(workspaceId, `connectors/${encodeURIComponent(name)}`), { method: 'PATCH', body, reason });
}

export function deleteConnector(client: ApiClient, workspaceId: string, name: string, reason: string): Promise<void> {
  return client.request<void>(workspacePath(workspaceId, `connectors/${encodeURIComponent(name)}`), { method: 'DELETE', reason });
}
