import type { OperatorRole } from '@orch/data';
import type { Scope } from './scopes';

/** Who is calling, once the token is verified and checked live. */
export type Principal =
  | { kind: 'operator'; id: string; roles: OperatorRole[]; breakGlass: boolean; tokenId: string }
  | { kind: 'service'; id: string; workspaceId: string; scopes: Scope[]; tokenId: string }
  | { kind: 'impersonation'; sessionId: string; operatorId: string; workspaceId: string; scopes: Scope[]; tokenId: string }
  /** AUTH_MODE=disabled (dev only): everything allowed, audited as such. */
  | { kind: 'anonymous' }
  /** The service itself (boot-time bootstrap, maintenance); never comes from a token. */
  | { kind: 'system'; name: string };

export interface AuditActor {
  actorType: 'operator' | 'service' | 'system';
  actorId: string;
  impersonatorId: string | null;
}

/**
 * How a principal appears in the audit log. An impersonation acts as the workspace
 * (`workspace:<id>`, type service) and records the real operator as impersonator.
 */
export function auditActorOf(principal: Principal): AuditActor {
  switch (principal.kind) {
    case 'operator':
      return { actorType: 'operator', actorId: principal.id, impersonatorId: null };
    case 'service':
      return { actorType: 'service', actorId: principal.id, impersonatorId: null };
    case 'impersonation':
      return { actorType: 'service', actorId: `workspace:${principal.workspaceId}`, impersonatorId: principal.operatorId };
    case 'anonymous':
      return { actorType: 'system', actorId: 'auth-disabled', impersonatorId: null };
    case 'system':
      return { actorType: 'system', actorId: principal.name, impersonatorId: null };
  }
}

/** The workspace a token is confined to, if any. Operators are not confined. */
export function confinedWorkspace(principal: Principal): string | undefined {
  return principal.kind === 'service' || principal.kind === 'impersonation' ? principal.workspaceId : undefined;
}
