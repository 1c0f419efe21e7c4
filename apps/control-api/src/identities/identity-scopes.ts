import { CONTROL_SCOPES, EXEC_SCOPES } from '@orch/auth';
import type { FieldError } from '@orch/contracts';
import type { TokenAudience } from '@orch/data';

/** The scopes an identity of each audience may hold: a token is only ever read by one kind of app. */
export const SCOPES_BY_AUDIENCE: Readonly<Record<TokenAudience, readonly string[]>> = {
  'orchestrator-exec': EXEC_SCOPES,
  'orchestrator-control': CONTROL_SCOPES,
};

/** One field error per scope the audience does not offer (JSON Pointer into the body). */
export function scopeProblems(audience: TokenAudience, scopes: readonly string[]): FieldError[] {
  const allowed = SCOPES_BY_AUDIENCE[audience];
  return scopes.flatMap((scope, index) =>
    allowed.includes(scope) ? [] : [{ path: `/scopes/${index}`, message: `"${scope}" is not a scope of ${audience} (one of: ${allowed.join(', ')})` }],
  );
}

/**
 * The scopes a token is minted with: the requested space-separated subset, or every scope of
 * the identity when none is asked for. Null when a requested scope is not the identity's.
 */
export function grantedScopes(identityScopes: readonly string[], requested: string | undefined): string[] | null {
  const asked = [...new Set((requested ?? '').split(' ').filter((scope) => scope !== ''))];
  if (asked.length === 0) return [...identityScopes];
  return asked.every((scope) => identityScopes.includes(scope)) ? asked : null;
}
