import type { AccessRule } from './access-rules';
import type { Principal } from './principal';

export type Decision = { allow: true; viaBreakGlass?: boolean } | { allow: false; reason: 'forbidden' | 'break_glass_inactive' | 'not_found' };

const ALLOW: Decision = { allow: true };

/**
 * The one access decision, pure: the rule of the route, the verified principal and the
 * workspace the URL names. A confined token naming another workspace gets not_found, so
 * a 404 never confirms that someone else's workspace exists.
 */
export function authorize(rule: AccessRule, principal: Principal, urlWorkspaceId: string | undefined): Decision {
  switch (principal.kind) {
    case 'anonymous':
    case 'system':
      return ALLOW;
    case 'operator': {
      if (rule.anyOperator) return ALLOW;
      const matching = (rule.roles ?? []).filter((role) => principal.roles.includes(role));
      if (matching.some((role) => role !== 'BreakGlassAdmin')) return ALLOW;
      if (matching.length > 0) {
        if (principal.breakGlass) return { allow: true, viaBreakGlass: true };
        return rule.breakGlassActivation ? ALLOW : { allow: false, reason: 'break_glass_inactive' };
      }
      return { allow: false, reason: 'forbidden' };
    }
    case 'service':
    case 'impersonation': {
      if (principal.kind === 'impersonation' && !rule.impersonation) return { allow: false, reason: 'forbidden' };
      const scoped = (rule.scopes ?? []).some((scope) => principal.scopes.includes(scope));
      if (!scoped) return { allow: false, reason: 'forbidden' };
      if (urlWorkspaceId !== undefined && urlWorkspaceId !== principal.workspaceId) return { allow: false, reason: 'not_found' };
      return ALLOW;
    }
  }
}
