import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ImpersonationSessionEntity, OperatorAuditLogEntity, type WorkspaceEntity } from '@orch/data';
import { createTestOperator, createTestWorkspace, routeAccessOf, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import type { ControlApiConfig } from '../src/config';
import { controlApiApp } from '../src/app.definition';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * The routes an impersonation token may use (workspaces, identities) belong to another feature.
 * Where they are not routed yet, liveness is proven on routes that exist: the guard
 * authenticates before it authorises, so a live impersonation token gets 403 on a route it may
 * not use, and a stopped or expired one gets 401 there.
 */
describe('Impersonation', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let support: TestOperator;
  let workspace: WorkspaceEntity;
  let routed: Set<string>;

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const auditRows = () => t.app.get(DataSource).getRepository(OperatorAuditLogEntity);
  const sessionRows = () => t.app.get(DataSource).getRepository(ImpersonationSessionEntity);
  const start = (token: string, body: object) => request(t.server).post('/v1/impersonation').set(auth(token)).send(body);
  const stop = (token: string, id: string, reason: string | null = 'done') => {
    const call = request(t.server).delete(`/v1/impersonation/${id}`).set(auth(token));
    return reason === null ? call : call.set('x-reason', reason);
  };

  /** 401 once the session is over; otherwise authenticated (and then refused as an impersonation token: 403). */
  const expectLive = async (token: string) => {
    await request(t.server).get('/v1/auth/me').set(auth(token)).expect(403);
    if (routed.has('GET /v1/workspaces/:workspaceId')) {
      await request(t.server).get(`/v1/workspaces/${workspace.id}`).set(auth(token)).expect(200);
    }
  };
  const expectDead = async (token: string) => {
    const res = await request(t.server).get('/v1/auth/me').set(auth(token)).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    await start(token, { workspace_id: workspace.id, reason: 'again' }).expect(401);
    if (routed.has('GET /v1/workspaces/:workspaceId')) {
      await request(t.server).get(`/v1/workspaces/${workspace.id}`).set(auth(token)).expect(401);
    }
  };

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    support = await createTestOperator(t.app, ['Support']);
    workspace = await createTestWorkspace(t.app);
    routed = new Set(routeAccessOf(t.app).map((r) => r.route));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /v1/impersonation', () => {
    it('needs a reason (400 REASON_REQUIRED, no session, no audit row)', async () => {
      const [sessions, audit] = [await sessionRows().count(), await auditRows().count()];
      const res = await start(support.token, { workspace_id: workspace.id, ttl_seconds: 60 }).expect(400);
      expect(res.body.error.code).toBe('REASON_REQUIRED');
      expect(await sessionRows().count()).toBe(sessions);
      expect(await auditRows().count()).toBe(audit);
    });

    it('caps the ttl at 15 minutes and validates the body (400 with field paths)', async () => {
      const cases: Array<[object, string]> = [
        [{ workspace_id: workspace.id, ttl_seconds: 901 }, '/ttl_seconds'],
        [{ workspace_id: workspace.id, ttl_seconds: 0 }, '/ttl_seconds'],
        [{ workspace_id: 'not-a-uuid' }, '/workspace_id'],
        [{ workspace_id: workspace.id, operator_id: admin.id }, '/operator_id'],
      ];
      for (const [body, path] of cases) {
        const res = await start(support.token, { ...body, reason: 'investigating ticket 7' }).expect(400);
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
    });

    it('answers 404 for an unknown workspace', async () => {
      const res = await start(support.token, { workspace_id: randomUUID(), reason: 'ticket' }).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });

    it('answers 404 for a workspace of the other environment (a test deployment serves only *-dev)', async () => {
      const prodWorkspace = await createTestWorkspace(t.app, `imp-${randomUUID().slice(0, 8)}-prod`);
      const res = await start(support.token, { workspace_id: prodWorkspace.id, reason: 'ticket' }).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });

    it('is refused to roles without it (403) and to callers without a token (401)', async () => {
      for (const role of ['BillingAdmin', 'ReadOnlyAuditor'] as const) {
        const caller = await createTestOperator(t.app, [role]);
        await start(caller.token, { workspace_id: workspace.id, reason: 'curious' }).expect(403);
      }
      const breakGlass = await createTestOperator(t.app, ['BreakGlassAdmin']);
      await start(breakGlass.token, { workspace_id: workspace.id, reason: 'not activated' }).expect(403);
      await request(t.server).post('/v1/impersonation').send({ workspace_id: workspace.id, reason: 'x' }).expect(401);
    });

    it('starts a session (201): a signed token naming the workspace and the operator, audited', async () => {
      const res = await start(support.token, { workspace_id: workspace.id, reason: 'ticket 7: customer cannot see jobs', ttl_seconds: 300 }).expect(201);
      expect(res.body).toEqual({ id: expect.any(String), token: expect.any(String), exec_token: expect.any(String), expires_at: expect.any(String), workspace_id: workspace.id });
      const expiresIn = Date.parse(res.body.expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(290_000);
      expect(expiresIn).toBeLessThanOrEqual(300_000);
      const claims = payloadOf(res.body.token);
      expect(claims).toMatchObject({ typ: 'impersonation', aud: 'orchestrator-control', sub: `workspace:${workspace.id}`, tid: workspace.id, sid: res.body.id, act: { sub: support.id } });
      expect(String(claims['scope']).split(' ')).not.toContain('identities:write');
      expect(Number(claims['exp']) - Number(claims['iat'])).toBe(300);

      const session = await sessionRows().findOneByOrFail({ id: res.body.id });
      expect(session).toMatchObject({ workspaceId: workspace.id, operatorId: support.id, reason: 'ticket 7: customer cannot see jobs', endedAt: null });
      const audit = await auditRows().findOneOrFail({ where: { action: 'impersonation.start', targetId: res.body.id } });
      expect(audit).toMatchObject({ actorType: 'operator', actorId: support.id, workspaceId: workspace.id, reason: 'ticket 7: customer cannot see jobs' });
      expect(JSON.stringify(audit)).not.toContain(res.body.token);
      expect(JSON.stringify(audit)).not.toContain(res.body.exec_token);
      await expectLive(res.body.token);
    });

    it('also returns the exec-api token of the same session, which control-api itself refuses (wrong audience)', async () => {
      const res = await start(support.token, { workspace_id: workspace.id, reason: 'ticket 8: run the playground', ttl_seconds: 120 }).expect(201);
      const control = payloadOf(res.body.token);
      const exec = payloadOf(res.body.exec_token);
      expect(exec).toMatchObject({ typ: 'impersonation', aud: 'orchestrator-exec', sub: `workspace:${workspace.id}`, tid: workspace.id, sid: res.body.id, act: { sub: support.id } });
      expect(String(exec['scope']).split(' ').sort()).toEqual(['events:read', 'execute', 'jobs:read', 'jobs:write']);
      expect(Math.abs(Number(exec['exp']) - Number(control['exp']))).toBeLessThanOrEqual(1);
      expect(exec['jti']).not.toBe(control['jti']);
      await request(t.server).get(`/v1/workspaces/${workspace.id}`).set(auth(res.body.exec_token)).expect(401);
      await request(t.server).get('/v1/auth/me').set(auth(res.body.exec_token)).expect(401);
    });

    it('defaults the ttl to 15 minutes', async () => {
      const res = await start(admin.token, { workspace_id: workspace.id, reason: 'default ttl' }).expect(201);
      const claims = payloadOf(res.body.token);
      expect(Number(claims['exp']) - Number(claims['iat'])).toBe(900);
    });
  });

  describe('escalation attempts with an impersonation token', () => {
    let token: string;
    beforeAll(async () => {
      token = (await start(support.token, { workspace_id: workspace.id, reason: 'escalation test' }).expect(201)).body.token;
    });

    it('cannot start another impersonation (403), and the attempt is audited with both identities', async () => {
      const before = await sessionRows().count();
      const res = await start(token, { workspace_id: workspace.id, reason: 'nested' }).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(await sessionRows().count()).toBe(before);
      const denied = await auditRows().findOneOrFail({ where: { action: 'access.denied', targetId: 'POST /v1/impersonation', impersonatorId: support.id } });
      expect(denied).toMatchObject({ actorType: 'service', actorId: `workspace:${workspace.id}`, impersonatorId: support.id, requestId: res.headers['x-request-id'] });
    });

    it('cannot mint service secrets: POST /v1/workspaces/:id/service-identities → 403 (404 while that route is not built)', async () => {
      const res = await request(t.server)
        .post(`/v1/workspaces/${workspace.id}/service-identities`)
        .set(auth(token))
        .send({ name: 'svc:evil-backend', audience: 'orchestrator-exec', scopes: ['execute'], reason: 'x' });
      expect(res.status).toBe(routed.has('POST /v1/workspaces/:workspaceId/service-identities') ? 403 : 404);
      if (routed.has('POST /v1/workspaces/:workspaceId/service-identities')) {
        expect(await auditRows().count({ where: { action: 'access.denied', targetId: 'POST /v1/workspaces/:workspaceId/service-identities', impersonatorId: support.id } })).toBe(1);
      }
    });

    it('cannot manage operators, stop sessions or activate break-glass (403)', async () => {
      await request(t.server).get('/v1/operators').set(auth(token)).expect(403);
      await request(t.server).post('/v1/operators').set(auth(token)).send({ email: 'x@example.test', roles: ['OperatorAdmin'], reason: 'x' }).expect(403);
      await stop(token, randomUUID()).expect(403);
      await request(t.server).post('/v1/break-glass/activate').set(auth(token)).send({ reason: 'x' }).expect(403);
    });

    it('records both identities on a change made under it (when PATCH /v1/workspaces/:id exists)', async () => {
      if (!routed.has('PATCH /v1/workspaces/:workspaceId')) return;
      const res = await request(t.server).patch(`/v1/workspaces/${workspace.id}`).set(auth(token)).send({ reason: 'customer asked for longer retention', settings: { retention_days: 31 } }).expect(200);
      const row = await auditRows().findOneOrFail({ where: { requestId: res.headers['x-request-id'] } });
      expect(row).toMatchObject({ actorId: `workspace:${workspace.id}`, impersonatorId: support.id });
    });
  });

  describe('DELETE /v1/impersonation/:sessionId', () => {
    it('needs a reason (400), and only the operator who started it or an admin may stop it (404 for others)', async () => {
      const session = (await start(support.token, { workspace_id: workspace.id, reason: 'ticket 8' }).expect(201)).body;
      const res = await stop(support.token, session.id, null).expect(400);
      expect(res.body.error.code).toBe('REASON_REQUIRED');
      const otherSupport = await createTestOperator(t.app, ['Support']);
      await stop(otherSupport.token, session.id).expect(404);
      await expectLive(session.token);
    });

    it('stops the session: its token is refused (401) at the next request; audited; a second stop is 409', async () => {
      const session = (await start(support.token, { workspace_id: workspace.id, reason: 'ticket 9' }).expect(201)).body;
      await expectLive(session.token);
      const res = await stop(support.token, session.id, 'ticket 9 solved').expect(200);
      expect(res.body).toMatchObject({ id: session.id, workspace_id: workspace.id, operator_id: support.id, ended_at: expect.any(String) });
      await expectDead(session.token);

      const audit = await auditRows().findOneOrFail({ where: { action: 'impersonation.stop', targetId: session.id } });
      expect(audit).toMatchObject({ actorId: support.id, workspaceId: workspace.id, reason: 'ticket 9 solved', before: expect.objectContaining({ ended_at: null }) });
      expect((await sessionRows().findOneByOrFail({ id: session.id })).endedAt).toBeInstanceOf(Date);
      await stop(support.token, session.id).expect(409);
    });

    it('lets an OperatorAdmin stop someone else\'s session', async () => {
      const session = (await start(support.token, { workspace_id: workspace.id, reason: 'ticket 10' }).expect(201)).body;
      // The reason may come in the body as well.
      await request(t.server).delete(`/v1/impersonation/${session.id}`).set(auth(admin.token)).send({ reason: 'policy: no weekend impersonation' }).expect(200);
      expect(await auditRows().count({ where: { action: 'impersonation.stop', targetId: session.id, actorId: admin.id, reason: 'policy: no weekend impersonation' } })).toBe(1);
      await expectDead(session.token);
    });

    it('answers 404 for an unknown or malformed session id', async () => {
      await stop(admin.token, randomUUID()).expect(404);
      await stop(admin.token, 'nope').expect(404);
    });
  });

  it('refuses the token once the session ttl has passed (Redis, before the JWT exp tolerance)', async () => {
    const session = (await start(support.token, { workspace_id: workspace.id, reason: 'short look', ttl_seconds: 1 }).expect(201)).body;
    await sleep(1300);
    await expectDead(session.token);
  });

  it('ends every running session of an operator who is disabled', async () => {
    const leaving = await createTestOperator(t.app, ['Support']);
    const session = (await start(leaving.token, { workspace_id: workspace.id, reason: 'ticket 11' }).expect(201)).body;
    await expectLive(session.token);
    await request(t.server).patch(`/v1/operators/${leaving.id}`).set(auth(admin.token)).send({ status: 'disabled', reason: 'offboarding' }).expect(200);
    await expectDead(session.token);
    expect((await sessionRows().findOneByOrFail({ id: session.id })).endedAt).toBeInstanceOf(Date);
    expect(await auditRows().count({ where: { action: 'impersonation.stop', targetId: session.id, actorId: admin.id } })).toBe(1);
  });
});
