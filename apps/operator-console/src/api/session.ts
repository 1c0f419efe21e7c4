import type { ApiClient } from './client';

export interface SessionOperator {
  id: string;
  email: string;
  roles: string[];
}

/** The operator's active impersonation, held by the BFF (its tokens never reach the browser). */
export interface ImpersonationState {
  id: string;
  workspace_id: string;
  expires_at: string;
}

export interface SessionState {
  operator: SessionOperator;
  csrf_token: string;
  expires_at?: string;
  impersonation?: ImpersonationState | null;
}

export function fetchSession(client: ApiClient, signal?: AbortSignal): Promise<SessionState> {
  return client.request<SessionState>('/api/session', { signal });
}

export function createSession(client: ApiClient, credentials: { email: string; password: string }): Promise<SessionState> {
  return client.request<SessionState>('/api/session', { method: 'POST', body: credentials });
}

export function deleteSession(client: ApiClient): Promise<void> {
  return client.request<void>('/api/session', { method: 'DELETE' });
}

export function startImpersonation(client: ApiClient, body: { workspace_id: string; ttl_seconds?: number; reason: string }): Promise<ImpersonationState> {
  return client.request<ImpersonationState>('/api/impersonation', { method: 'POST', body });
}

export function stopImpersonation(client: ApiClient, reason: string): Promise<void> {
  return client.request<void>('/api/impersonation', { method: 'DELETE', reason });
}
