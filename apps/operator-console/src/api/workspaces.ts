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
