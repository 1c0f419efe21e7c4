import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ACCESS_RULES, type AccessRule, type AccessRuleName, CONTROL_SCOPES, SessionStore } from '@orch/auth';
import type { OperatorRole, WorkspaceEntity } from '@orch/data';
import { createTestOperator, createTestWorkspace, expectEveryRouteHasAnAccessDecision, routeAccessOf, serviceToken, startTestApp, type TestApp } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

/**
 * THE RBAC matrix, end to end: every rule of ACCESS_RULES served by control-api × every kind of
 * caller, through the real guard, token verification and live checks. Allowed callers get
 * anything but 401/403 (the empty body usually ends in 400); the others get 403 FORBIDDEN, and
 * a workspace token on another workspace 404. Expectations are read off the rule's fields.
 */

type OperatorCaller = 'OperatorAdmin' | 'Support' | 'BillingAdmin' | 'ReadOnlyAuditor' | 'BreakGlassAdmin (inactive)' | 'BreakGlassAdmin (active)';
const OPERATOR_CALLERS: readonly OperatorCaller[] = ['OperatorAdmin', 'Support', 'BillingAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin (inactive)', 'BreakGlassAdmin (active)'];

const GUARD_MESSAGE = 'Missing, invalid or expired token';

/**
 * Which rules control-api's handlers carry, read from its sources at collection time (it.each
 * needs its table before the app boots); a test below checks this against the running app.
 */
function rulesInSources(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !['node_modules', 'dist', 'test'].includes(entry.name)) rulesInSources(path).forEach((name) => found.add(name));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      for (const match of readFileSync(path, 'utf8').matchAll(/@Access\('([^']+)'\)/g)) found.add(match[1]);
    }
  }
  return found;
}

const APPS_DIR = join(__dirname, '..', '..');
const SERVED = rulesInSources(join(__dirname, '..', 'src'));
/** Rules another app serves (exec-api, the console BFF): not control-api's to answer. */
const ELSEWHERE = new Map(
  readdirSync(APPS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'control-api')
    .flatMap((entry) => {
      try {
        return [...rulesInSources(join(APPS_DIR, entry.name))].map((rule) => [rule, entry.name] as const);
      } catch {
        return [];
      }
    }),
);
const RULES = (Object.entries(ACCESS_RULES) as Array<[AccessRuleName, AccessRule]>).map(([name, rule]) => ({ name, rule, method: rule.route.split(' ')[0], path: rule.route.split(' ')[1] }));
const SERVED_RULES = RULES.filter((r) => SERVED.has(r.name));
const OTHER_APPS = RULES.filter((r) => !SERVED.has(r.name) && ELSEWHERE.has(r.name));
const NOT_BUILT = RULES.filter((r) => !SERVED.has(r.name) && !ELSEWHERE.has(r.name));
const PROTECTED = SERVED_RULES.filter((r) => !r.rule.public);
const PUBLIC = SERVED_RULES.filter((r) => r.rule.public);

function roleOf(caller: OperatorCaller): OperatorRole {
  return caller.startsWith('BreakGlassAdmin') ? 'BreakGlassAdmin' : (caller as OperatorRole);
}

function operatorMayCall(rule: AccessRule, caller: OperatorCaller): boolean {
  if (rule.anyOperator) return true;
  if (!(rule.roles ?? []).includes(roleOf(caller))) return false;
  if (caller === 'BreakGlassAdmin (inactive)') return rule.breakGlassActivation === true;
  return true;
}

type RuleCase = (typeof RULES)[number];

describe('RBAC matrix (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let workspace: WorkspaceEntity;
  let otherWorkspace: WorkspaceEntity;
  let impersonationToken: string;
  let impersonationScopes: string[];
  const sharedTokens = new Map<OperatorCaller, string>();
  const exercised = new Set<string>();

  async function operatorToken(caller: OperatorCaller): Promise<string> {
    const operator = await createTestOperator(t.app, [roleOf(caller)]);
    if (caller === 'BreakGlassAdmin (active)') await t.app.get(SessionStore).activateBreakGlass(operator.id, randomUUID(), 3600);
    return operator.token;
  }

  /** A caller of its own for every mutation (one may change the caller: activating break-glass); shared ones for reads. */
  async function tokenFor(caller: OperatorCaller, { method }: RuleCase): Promise<string> {
    if (method !== 'GET') return operatorToken(caller);
    if (!sharedTokens.has(caller)) sharedTokens.set(caller, await operatorToken(caller));
    return sharedTokens.get(caller) as string;
  }

  function pathOf({ path }: RuleCase, workspaceId: string): string {
    return path.replace(/:workspaceId\b/g, workspaceId).replace(/:[A-Za-z]+/g, () => randomUUID());
  }

  function send(ruleCase: RuleCase, token: string | undefined, workspaceId = workspace.id): request.Test {
    const agent = request(t.server);
    const path = pathOf(ruleCase, workspaceId);
    const method = ruleCase.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    let call = agent[method](path).set('x-reason', 'rbac test');
    if (token) call = call.set('authorization', `Bearer ${token}`);
    return ruleCase.method === 'GET' ? call : call.send({});
  }

  /** Anything but the guard's refusals (and no crash): the handler ran and judged the empty body. */
  function expectAllowed(response: request.Response, label: string): void {
    const refused = response.status === 401 || response.status === 403 || response.status >= 500;
    expect({ label, refused, status: response.status, body: refused ? response.body : undefined }).toEqual({ label, refused: false, status: response.status, body: undefined });
  }

  function expectDenied(response: request.Response, status: 403 | 404 | 401): void {
    const code = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[status];
    expect({ status: response.status, code: (response.body as { error?: { code?: string } }).error?.code }).toEqual({ status, code });
  }

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    workspace = await createTestWorkspace(t.app);
    otherWorkspace = await createTestWorkspace(t.app);
    // A real impersonation session, started the way an operator starts one.
    const admin = await createTestOperator(t.app, ['OperatorAdmin']);
    const started = await request(t.server).post('/v1/impersonation').set('authorization', `Bearer ${admin.token}`).send({ workspace_id: workspace.id, ttl_seconds: 900, reason: 'rbac test' });
    expect(started.status).toBe(201);
    impersonationToken = (started.body as { token: string }).token;
    const payload = JSON.parse(Buffer.from(impersonationToken.split('.')[1], 'base64url').toString('utf8')) as { scope: string };
    impersonationScopes = payload.scope.split(' ');
  });

  afterAll(async () => {
    const exercisedRules = [...new Set([...exercised].map((line) => line.split(' ')[0]))].sort();
    // A summary in the test output (not an app log): what the matrix test covered and skipped.
    process.stdout.write(
      [
        `RBAC matrix: ${exercised.size} route × caller cases over ${exercisedRules.length} rules served by control-api.`,
        `Skipped, served by another app: ${OTHER_APPS.map((r) => `${r.name} (${ELSEWHERE.get(r.name)})`).join(', ') || 'none'}.`,
        `Skipped, not built yet: ${NOT_BUILT.map((r) => `${r.name} (${r.rule.route})`).join(', ') || 'none'}.`,
      ].join('\n') + '\n',
    );
    await t?.close();
  });

  it('gives every route an explicit access decision whose route matches its rule', () => {
    expectEveryRouteHasAnAccessDecision(t.app);
  });

  it('serves exactly the rules found in its sources (the tables below are complete)', () => {
    const running = new Set(routeAccessOf(t.app).flatMap((r) => (r.rule && r.rule !== 'platform' ? [r.rule] : [])));
    expect([...running].sort()).toEqual([...SERVED].sort());
    expect(running.size).toBeGreaterThan(0);
  });

  describe('operators', () => {
    const cases = PROTECTED.flatMap((ruleCase) => OPERATOR_CALLERS.map((caller) => ({ ...ruleCase, caller, allowed: operatorMayCall(ruleCase.rule, caller) })));

    it.each(cases)('$rule.route ($name) as $caller → allowed: $allowed', async (c) => {
      const response = await send(c, await tokenFor(c.caller, c));
      if (c.allowed) expectAllowed(response, `${c.name} as ${c.caller}`);
      else expectDenied(response, 403);
      exercised.add(`${c.name} ${c.caller}`);
    });
  });

  describe('no token', () => {
    it.each(PROTECTED)('$rule.route ($name) without a token → 401', async (c) => {
      const response = await send(c, undefined);
      expectDenied(response, 401);
      expect((response.body as { error: { message: string } }).error.message).toBe(GUARD_MESSAGE);
      exercised.add(`${c.name} anonymous`);
    });

    it.each(PROTECTED)('$rule.route ($name) with a garbage token → 401', async (c) => {
      expectDenied(await send(c, 'not.a.token'), 401);
    });

    it.each(PUBLIC)('$rule.route ($name) is public: answers without a token, neither 401 nor 403', async (c) => {
      const response = await send(c, undefined);
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
      exercised.add(`${c.name} anonymous`);
    });
  });

  describe('service tokens (aud orchestrator-control)', () => {
    const cases = PROTECTED.map((c) => ({ ...c, scopes: [...(c.rule.scopes ?? [])], allowed: (c.rule.scopes ?? []).length > 0 }));

    it.each(cases)('$rule.route ($name) with its own workspace → allowed: $allowed', async (c) => {
      // The rule's scopes when it has some; every control scope when it has none (still refused).
      const token = await serviceToken(t.app, workspace.id, c.allowed ? c.scopes : [...CONTROL_SCOPES], { audience: 'control' });
      const response = await send(c, token);
      if (c.allowed) expectAllowed(response, `${c.name} as service`);
      else expectDenied(response, 403);
      exercised.add(`${c.name} service`);
    });

    const workspaceScoped = cases.filter((c) => c.allowed && c.path.includes(':workspaceId'));

    it.each(workspaceScoped)('$rule.route ($name) on another workspace → 404, never 403', async (c) => {
      const token = await serviceToken(t.app, workspace.id, c.scopes, { audience: 'control' });
      expectDenied(await send(c, token, otherWorkspace.id), 404);
    });

    it.each(cases.filter((c) => c.allowed))('$rule.route ($name) with an exec-audience token → 401', async (c) => {
      expectDenied(await send(c, await serviceToken(t.app, workspace.id, c.scopes, { audience: 'exec' })), 401);
    });
  });

  describe('impersonation token', () => {
    const cases = PROTECTED.map((c) => ({ ...c, allowed: c.rule.impersonation === true }));

    it.each(cases)('$rule.route ($name) → allowed: $allowed', async (c) => {
      // Rules open to impersonation must also share a scope with the token (checked, not assumed).
      const allowed = c.allowed && (c.rule.scopes ?? []).some((scope) => impersonationScopes.includes(scope));
      expect(allowed).toBe(c.allowed);
      const response = await send(c, impersonationToken);
      if (allowed) expectAllowed(response, `${c.name} as impersonation`);
      else expectDenied(response, 403);
      exercised.add(`${c.name} impersonation`);
    });
  });

  if (NOT_BUILT.length > 0) {
    describe('rules no app serves yet', () => {
      NOT_BUILT.forEach((r) => it.todo(`${r.rule.route} (${r.name})`));
    });
  }

  it('exercised every served rule for every caller', () => {
    const expected = [
      ...PROTECTED.flatMap((c) => [...OPERATOR_CALLERS, 'anonymous', 'service', 'impersonation'].map((caller) => `${c.name} ${caller}`)),
      ...PUBLIC.map((c) => `${c.name} anonymous`),
    ].sort();
    expect([...exercised].sort()).toEqual(expected);
    expect(PROTECTED.length).toBeGreaterThan(0);
  });
});
