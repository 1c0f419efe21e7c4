import { OPERATOR_ROLES, type OperatorRole } from '@orch/data';
import { ACCESS_RULES, type AccessRule, type AccessRuleName } from './access-rules';
import { authorize, type Decision } from './authorize';
import type { Principal } from './principal';
import { IMPERSONATION_SCOPES, SCOPES, type Scope } from './scopes';

const OWN_WORKSPACE = '11111111-1111-4111-8111-111111111111';
const OTHER_WORKSPACE = '22222222-2222-4222-8222-222222222222';

const RULES = Object.entries(ACCESS_RULES) as Array<[AccessRuleName, AccessRule]>;
// The public rules never reach authorize() (the guard lets them through before); the
// decision is still defined for them, and the tables below cover them too.

function operator(roles: OperatorRole[], breakGlass = false): Principal {
  return { kind: 'operator', id: 'op-1', roles, breakGlass, tokenId: 'jti-1' };
}

function service(scopes: Scope[], workspaceId = OWN_WORKSPACE): Principal {
  return { kind: 'service', id: 'svc-1', workspaceId, scopes, tokenId: 'jti-2' };
}

function impersonation(scopes: readonly Scope[], workspaceId = OWN_WORKSPACE): Principal {
  return { kind: 'impersonation', sessionId: 'sess-1', operatorId: 'op-1', workspaceId, scopes: [...scopes], tokenId: 'jti-3' };
}

/** What a single-role operator may do, read off the rule's fields (not off authorize()). */
function expectedForRole(rule: AccessRule, role: OperatorRole, breakGlassActive: boolean): Decision {
  if (rule.anyOperator) return { allow: true };
  if (!(rule.roles ?? []).includes(role)) return { allow: false, reason: 'forbidden' };
  if (role !== 'BreakGlassAdmin') return { allow: true };
  if (breakGlassActive) return { allow: true, viaBreakGlass: true };
  // The activation route itself is the one a BreakGlassAdmin may call while inert.
  return rule.breakGlassActivation ? { allow: true } : { allow: false, reason: 'break_glass_inactive' };
}

function urlWorkspaceOf(rule: AccessRule, workspaceId: string): string | undefined {
  return rule.route.includes(':workspaceId') ? workspaceId : undefined;
}

describe(authorize.name, () => {
  describe('operators: every rule × every role', () => {
    const cases = RULES.flatMap(([name, rule]) => OPERATOR_ROLES.flatMap((role) => [false, true].map((breakGlass) => ({ name, rule, role, breakGlass }))));

    it.each(cases)('$name as $role (break-glass active: $breakGlass)', ({ rule, role, breakGlass }) => {
      expect(authorize(rule, operator([role], breakGlass), urlWorkspaceOf(rule, OTHER_WORKSPACE))).toEqual(expectedForRole(rule, role, breakGlass));
    });

    it('lets a role other than BreakGlassAdmin decide, without break-glass, when an operator holds both', () => {
      const decision = authorize(ACCESS_RULES['workspaces.create'], operator(['BreakGlassAdmin', 'OperatorAdmin'], false), undefined);
      expect(decision).toEqual({ allow: true });
    });

    it('lets an inert BreakGlassAdmin activate break-glass, and nothing else', () => {
      const inert = operator(['BreakGlassAdmin'], false);
      const allowed = RULES.filter(([, rule]) => authorize(rule, inert, undefined).allow).map(([name]) => name);
      expect(allowed.sort()).toEqual(RULES.filter(([, rule]) => rule.anyOperator || rule.breakGlassActivation).map(([name]) => name).sort());
      expect(allowed).toContain('break-glass.activate');
    });

    it('never lets break-glass add a right the BreakGlassAdmin role does not have in the rule', () => {
      expect(authorize(ACCESS_RULES['exec.whoami'], operator(['BreakGlassAdmin'], true), undefined)).toEqual({ allow: false, reason: 'forbidden' });
    });

    it('refuses an operator without roles everything but their own profile', () => {
      for (const [name, rule] of RULES) {
        expect({ name, decision: authorize(rule, operator([]), undefined) }).toEqual({ name, decision: rule.anyOperator ? { allow: true } : { allow: false, reason: 'forbidden' } });
      }
    });

    it('does not confine operators to a workspace', () => {
      expect(authorize(ACCESS_RULES['identities.list'], operator(['Support']), OTHER_WORKSPACE)).toEqual({ allow: true });
    });

    // A few cells spelled out, so a change to the matrix that also changes the helper above still shows up here.
    it.each([
      ['workspaces.create', 'Support', false],
      ['workspaces.create', 'OperatorAdmin', true],
      ['workspaces.update', 'BillingAdmin', true],
      ['identities.create', 'ReadOnlyAuditor', false],
      ['audit.verify', 'ReadOnlyAuditor', true],
      ['audit.list', 'Support', false],
      ['impersonation.start', 'Support', true],
      ['impersonation.start', 'BillingAdmin', false],
      ['operators.create', 'Support', false],
    ] as Array<[AccessRuleName, OperatorRole, boolean]>)('%s as %s → allowed: %s', (name, role, allowed) => {
      expect(authorize(ACCESS_RULES[name], operator([role]), undefined).allow).toBe(allowed);
    });
  });

  describe('service tokens: every rule × every scope', () => {
    const cases = RULES.flatMap(([name, rule]) => SCOPES.map((scope) => ({ name, rule, scope, granted: (rule.scopes ?? []).includes(scope) })));

    it.each(cases)('$name with scope $scope (rule grants it: $granted)', ({ rule, scope, granted }) => {
      const own = authorize(rule, service([scope]), urlWorkspaceOf(rule, OWN_WORKSPACE));
      expect(own).toEqual(granted ? { allow: true } : { allow: false, reason: 'forbidden' });
    });

    const workspaceRules = RULES.filter(([, rule]) => rule.route.includes(':workspaceId') && (rule.scopes ?? []).length > 0);

    it.each(workspaceRules.map(([name, rule]) => ({ name, rule })))('$name on another workspace → not_found, never forbidden', ({ rule }) => {
      expect(authorize(rule, service([...(rule.scopes ?? [])]), OTHER_WORKSPACE)).toEqual({ allow: false, reason: 'not_found' });
    });

    it('refuses a token without scopes everywhere', () => {
      for (const [name, rule] of RULES) {
        expect({ name, decision: authorize(rule, service([]), urlWorkspaceOf(rule, OWN_WORKSPACE)) }).toEqual({ name, decision: { allow: false, reason: 'forbidden' } });
      }
    });

    it('ignores roles: a service token never counts as an operator, even on anyOperator rules', () => {
      expect(authorize(ACCESS_RULES['auth.me'], service([...SCOPES]), undefined)).toEqual({ allow: false, reason: 'forbidden' });
    });
  });

  describe('impersonation tokens: every rule', () => {
    const cases = RULES.map(([name, rule]) => ({
      name,
      rule,
      expected: (rule.impersonation && (rule.scopes ?? []).some((s) => IMPERSONATION_SCOPES.includes(s)) ? { allow: true } : { allow: false, reason: 'forbidden' }) as Decision,
    }));

    it.each(cases)('$name with the impersonation scopes → $expected.allow', ({ rule, expected }) => {
      expect(authorize(rule, impersonation(IMPERSONATION_SCOPES), urlWorkspaceOf(rule, OWN_WORKSPACE))).toEqual(expected);
    });

    const closed = RULES.filter(([, rule]) => !rule.impersonation && (rule.scopes ?? []).length > 0);

    it.each(closed.map(([name, rule]) => ({ name, rule })))('$name refuses impersonation even with a matching scope', ({ rule }) => {
      expect(authorize(rule, impersonation(rule.scopes ?? []), urlWorkspaceOf(rule, OWN_WORKSPACE))).toEqual({ allow: false, reason: 'forbidden' });
    });

    it('answers not_found for another workspace on a route it may use', () => {
      expect(authorize(ACCESS_RULES['workspaces.get'], impersonation(IMPERSONATION_SCOPES), OTHER_WORKSPACE)).toEqual({ allow: false, reason: 'not_found' });
    });

    it('cannot mint a service secret or another impersonation', () => {
      const principal = impersonation(SCOPES);
      for (const name of ['identities.create', 'identities.rotate-secret', 'impersonation.start'] as const) {
        expect(authorize(ACCESS_RULES[name], principal, urlWorkspaceOf(ACCESS_RULES[name], OWN_WORKSPACE))).toEqual({ allow: false, reason: 'forbidden' });
      }
    });
  });

  describe('anonymous (AUTH_MODE=disabled) and system', () => {
    it.each(RULES.map(([name, rule]) => ({ name, rule })))('$name is allowed', ({ rule }) => {
      expect(authorize(rule, { kind: 'anonymous' }, urlWorkspaceOf(rule, OTHER_WORKSPACE))).toEqual({ allow: true });
      expect(authorize(rule, { kind: 'system', name: 'bootstrap' }, urlWorkspaceOf(rule, OTHER_WORKSPACE))).toEqual({ allow: true });
    });
  });
});
