import type { OperatorRole, TokenAudience } from '@orch/data';

export const EXEC_AUDIENCE: TokenAudience = 'orchestrator-exec';
export const CONTROL_AUDIENCE: TokenAudience = 'orchestrator-control';

/** Tokens never live longer than this (DESIGN §3); revocation markers in Redis live as long. */
export const MAX_TOKEN_TTL_SECONDS = 15 * 60;

/** What this service signs. Standard claims plus ours (tid, scope, roles, act, sid). */
export interface OrchestratorClaims {
  iss: string;
  aud: TokenAudience;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  /** Workspace id: service and impersonation tokens. */
  tid?: string;
  /** Space-separated scopes: service and impersonation tokens. */
  scope?: string;
  /** Operator tokens. */
  roles?: OperatorRole[];
  /** RFC 8693 actor: the operator behind an impersonation token. */
  act?: { sub: string };
  /** Impersonation session id, checked live in Redis. */
  sid?: string;
  /** What kind of subject: keeps a token of one kind from being read as another. */
  typ: 'service' | 'operator' | 'impersonation';
}
