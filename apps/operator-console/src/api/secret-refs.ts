import type { ApiClient } from './client';
import type { PageParams } from './connectors';
import { type Page, workspacePath } from './paths';

/** A named pointer (`env://NAME` or `vault://name`); never a value. */
export interface SecretRef {
  id: string;
  workspace_id: string;
  name: string;
  ref: string;
  created_at: string;
  updated_at: string;
}

/** POST …/secret-refs/:name/check: whether the ref resolves now (never the value). */
export interface SecretRefCheck {
  ok: boolean;
  version?: number;
  reason?: string;
  message?: string;
}

export function fetchSecretRefs(client: ApiClient, workspaceId: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<SecretRef>> {
  return client.request<Page<SecretRef>>(workspacePath(workspaceId, 'secret-refs'), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function createSecretRef(client: ApiClient, workspaceId: string, body: { name: string; ref: string }, reason: string): Promise<SecretRef> {
  return client.request<SecretRef>(workspacePath(workspaceId, 'secret-refs'), { method: 'POST', body, reason });
}

export function deleteSecretRef(client: ApiClient, workspaceId: string, name: string, reason: string): Promise<void> {
  return client.request<void>(workspacePath(workspaceId, `secret-refs/${encodeURIComponent(name)}`), { method: 'DELETE', reason });
}

/** A read: no reason, not audited. */
export function checkSecretRef(client: ApiClient, workspaceId: string, name: string): Promise<SecretRefCheck> {
  return client.request<SecretRefCheck>(workspacePath(workspaceId, `secret-refs/${encodeURIComponent(name)}/check`), { method: 'POST' });
}

/** The vault name behind a `vault://name` ref, or undefined for an `env://` ref. */
export function vaultNameOf(ref: string): string | undefined {
  return ref.startsWith('vault://') ? ref.slice('vault://'.length) : undefined;
}
