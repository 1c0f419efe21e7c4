/** Scopes a service identity (or an impersonation token) can hold. */
export const EXEC_SCOPES = ['execute', 'jobs:write', 'jobs:read', 'events:read'] as const;
export const CONTROL_SCOPES = ['workspace:read', 'workspace:write', 'identities:read', 'identities:write', 'audit:read'] as const;
export const SCOPES = [...EXEC_SCOPES, ...CONTROL_SCOPES] as const;

export type ExecScope = (typeof EXEC_SCOPES)[number];
export type ControlScope = (typeof CONTROL_SCOPES)[number];
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** What an impersonating operator may do inside the workspace: act on it, never mint secrets. */
export const IMPERSONATION_SCOPES: readonly Scope[] = ['workspace:read', 'workspace:write', 'identities:read', 'audit:read'];

/**
 * The exec-api token of an impersonation (aud orchestrator-exec): the execution plane as the
 * workspace's backend would use it, so an operator can run the playground and watch events.
 */
export const IMPERSONATION_EXEC_SCOPES: readonly Scope[] = EXEC_SCOPES;
