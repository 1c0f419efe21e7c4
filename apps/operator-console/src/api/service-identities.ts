import type { ApiClient } from './client';
import type { PageParams } from './connectors';
import { type Page, workspacePath } from './paths';

export type IdentityAudience = 'orchestrator-exec' | 'orchestrator-control';

/** The scopes each audience offers (libs/auth/src/access/scopes.ts, apps/control-api/src/identities/identity-scopes.ts). */
export const SCOPES_BY_AUDIENCE: Record<IdentityAudience, readonly string[]> = {
  'orchestrator-exec': ['execute', 'jobs:write', 'jobs:read', 'events:read'],
  'orchestrator-control': ['workspace:read', 'workspace:write', 'identities:read', 'identities:write', 'audit:read'],
};

export interface ServiceIdentity {
  id: string;
  workspace_id: string;
  name: string;
  client_id: string;
  audience: IdentityAudience;
  scopes: string[];
  revoked_at: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Create and rotate-secret answers: the only time the client secret is seen. */
export interface ServiceIdentityWithSecret extends ServiceIdentity {
  client_secret: string;
}

function identitiesPath(workspaceId: string, rest = ''): string {
  return workspacePath(workspaceId, `service-identities${rest}`);
}

export function fetchServiceIdentities(client: ApiClient, workspaceId: string, params: PageParams = {}, signal?: AbortSignal): Promise<Page<ServiceIdentity>> {
  return client.request<Page<ServiceIdentity>>(identitiesPath(workspaceId), { query: { limit: params.limit, cursor: params.cursor }, signal });
}

export function createServiceIdentity(client: ApiClient, workspaceId: string, body: { name: string; audience: IdentityAudience; scopes: string[] }, reason: string): Promise<ServiceIdentityWithSecret> {
  return client.request<ServiceIdentityWithSecret>(identitiesPath(workspaceId), { method: 'POST', body, reason });
}

export function revokeServiceIdentity(client: ApiClient, workspaceId: string, id: string, reason: string): Promise<ServiceIdentity> {
  return client.request<ServiceIdentity>(identitiesPath(workspaceId, `/${encodeURIComponent(id)}/revoke`), { method: 'POST', body: {}, reason });
}

export function rotateServiceIdentitySecret(client: ApiClient, workspaceId: string, id: string, body: { grace_seconds?: number }, reason: string): Promise<ServiceIdentityWithSecret> {
  return client.request<ServiceIdentityWithSecret>(identitiesPath(workspaceId, `/${encodeURIComponent(id)}/rotate-secret`), { method: 'POST', body, reason });
}
