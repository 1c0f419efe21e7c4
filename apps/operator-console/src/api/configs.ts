import type { ApiClient } from './client';
import type { PageParams } from './connectors';
import { type Page, workspacePath } from './paths';

export interface ConfigSummary {
  name: string;
  active_version: string | null;
  previous_version: string | null;
  version_count: number;
  latest_created_at: string;
}

export interface ConfigVersion {
  name: string;
  version: string;
  checksum: string;
  data: unknown;
  created_at: string;
  created_by: string;
}

export interface ConfigActivationResult {
  name: string;
  active: ConfigVersion;
  previous_version: string | null;
}

function configPath(workspaceId: string, name: string, rest = ''): string {
  return workspacePath(workspaceId, `configs/${encodeURIComponent(name)}${rest}`);
}

export function fetchConfigs(client: ApiClient, workspaceId: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<ConfigSummary>> {
  return client.request<Page<ConfigSummary>>(workspacePath(workspaceId, 'configs'), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function fetchConfigVersions(client: ApiClient, workspaceId: string, name: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<ConfigVersion>> {
  return client.request<Page<ConfigVersion>>(configPath(workspaceId, name, '/versions'), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function fetchConfigVersion(client: ApiClient, workspaceId: string, name: string, version: string, signal?: AbortSignal): Promise<ConfigVersion> {
  return client.request<ConfigVersion>(configPath(workspaceId, name, `/versions/${encodeURIComponent(version)}`), { signal });
}

export function createConfigVersion(client: ApiClient, workspaceId: string, body: { name: string; version?: string; data: Record<string, unknown>; activate?: boolean }, reason: string): Promise<ConfigVersion> {
  return client.request<ConfigVersion>(workspacePath(workspaceId, 'configs'), { method: 'POST', body, reason });
}

export function activateConfig(client: ApiClient, workspaceId: string, name: string, version: string, reason: string): Promise<ConfigActivationResult> {
  return client.request<ConfigActivationResult>(configPath(workspaceId, name, '/activate'), { method: 'POST', body: { version }, reason });
}

export function rollbackConfig(client: ApiClient, workspaceId: string, name: string, reason: string): Promise<ConfigActivationResult> {
  return client.request<ConfigActivationResult>(configPath(workspaceId, name, '/rollback'), { method: 'POST', reason });
}
