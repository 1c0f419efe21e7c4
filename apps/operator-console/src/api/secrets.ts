import type { ApiClient } from './client';
import { workspacePath } from './paths';

export interface SecretVersion {
  name: string;
  version: number;
  created_at: string;
}

/** PUT …/secrets/:name: a new vault version of `name` (what `vault://name` points at). Write-only. */
export function putSecret(client: ApiClient, workspaceId: string, name: string, value: string, reason: string): Promise<SecretVersion> {
  return client.request<SecretVersion>(workspacePath(workspaceId, `secrets/${encodeURIComponent(name)}`), { method: 'PUT', body: { value }, reason });
}
