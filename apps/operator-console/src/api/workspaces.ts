import type { ApiClient } from './client';
import { controlPath, type Page } from './paths';

export interface Workspace {
  id: string;
  name: string;
  status?: string;
  settings?: Record<string, unknown>;
  created_at?: string;
  updated_at?: string;
}

export function fetchWorkspaces(client: ApiClient, params: { limit?: number; cursor?: string } = {}, signal?: AbortSignal): Promise<Page<Workspace>> {
  return client.request<Page<Workspace>>(controlPath('/v1/workspaces'), { query: { limit: params.limit ?? 200, cursor: params.cursor }, signal });
}

export interface WorkspaceQuotas {
  rps: number;
  concurrency: number;
  queue_depth: number;
}

// A type alias (not an interface) so it fits Workspace's `Record<string, unknown>` settings.
export type WorkspaceSettings = {
  quotas: WorkspaceQuotas;
  retention_days: number;
};

/** GET /v1/workspaces/:id (WorkspaceResponse). */
export interface WorkspaceDetail extends Workspace {
  status: string;
  settings: WorkspaceSettings;
  callback_secret_ref: string | null;
  created_at: string;
  updated_at: string;
}

export interface WorkspaceSettingsPatch {
  quotas?: Partial<WorkspaceQuotas>;
  retention_days?: number;
}

export function fetchWorkspace(client: ApiClient, workspaceId: string, signal?: AbortSignal): Promise<WorkspaceDetail> {
  return client.request<WorkspaceDetail>(controlPath(`/v1/workspaces/${encodeURIComponent(workspaceId)}`), { signal });
}

export function createWorkspace(client: ApiClient, body: { name: string; settings?: WorkspaceSettingsPatch }, reason: string): Promise<WorkspaceDetail> {
  return client.request<WorkspaceDetail>(controlPath('/v1/workspaces'), { method: 'POST', body, reason });
}

/** PATCH /v1/workspaces/:id: `settings` values given replace the current ones; `callback_secret_ref: null` removes it. */
export function updateWorkspace(client: ApiClient, workspaceId: string, body: { settings?: WorkspaceSettingsPatch; callback_secret_ref?: string | null }, reason: string): Promise<WorkspaceDetail> {
  return client.request<WorkspaceDetail>(controlPath(`/v1/workspaces/${encodeURIComponent(workspaceId)}`), { method: 'PATCH', body, reason });
}
