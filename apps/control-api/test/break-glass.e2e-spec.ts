import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OperatorAuditLogEntity } from '@orch/data';
import { createTestOperator, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import type { ControlApiConfig } from '../src/config';
import { controlApiApp } from '../src/app.definition';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Break-glass', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let breakGlass: TestOperator;

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const auditRows = () => t.app.get(DataSource).getRepository(OperatorAuditLogEntity);
  const activate = (token: string, body: object) => request(t.server).post('/v1/break-glass/activate').set(auth(token)).send(body);
  const createOperator = (token: string) =>
    request(t.server)
      .post('/v1/operators')
      .set(auth(token))
      .send({ email: `bg-${randomBytes(4).toString('hex')}@example.test`, roles: ['Support'], reason: 'incident 42: on-call needs access' });

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    breakGlass = await createTestOperator(t.app, ['BreakGlassAdmin']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps a BreakGlassAdmin inert before activation: 403, and the denial is audited', async () => {
    const res = await createOperator(breakGlass.token).expect(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Break-glass is not active') });
    await request(t.server).get('/v1/operators').set(auth(breakGlass.token)).expect(403);
    const denied = await auditRows().findOne({ where: { action: 'access.denied', actorId: breakGlass.id, targetId: 'POST /v1/operators' } });
    expect(denied?.after).toEqual({ reason: 'break_glass_inactive' });
    const me = await request(t.server).get('/v1/auth/me').set(auth(breakGlass.token)).expect(200);
    expect(me.body.break_glass_active).toBe(false);
  });

  it('needs a reason to activate (400 REASON_REQUIRED, nothing activated, nothing audited)', async () => {
    const before = await auditRows().count({ where: { action: 'break_glass.activate' } });
    const res = await activate(breakGlass.token, {}).expect(400);
    expect(res.body.error.code).toBe('REASON_REQUIRED');
    expect(await auditRows().count({ where: { action: 'break_glass.activate' } })).toBe(before);
    await createOperator(breakGlass.token).expect(403);
  });

  it('caps the activation at one hour (400 on ttl_seconds > 3600)', async () => {
    for (const ttl of [3601, 0, 1.5, 'long']) {
      const res = await activate(breakGlass.token, { reason: 'incident', ttl_seconds: ttl }).expect(400);
      expect(res.body.error.details[0].path).toBe('/ttl_seconds');
    }
  });

  it('is only for BreakGlassAdmins (403 for others, whatever their role)', async () => {
    for (const roles of [['OperatorAdmin'], ['Support'], ['ReadOnlyAuditor']] as const) {
      const caller = await createTestOperator(t.app, [...roles]);
      await activate(caller.token, { reason: 'curious' }).expect(403);
    }
    await request(t.server).post('/v1/break-glass/activate').send({ reason: 'no token' }).expect(401);
  });

  it('after activation with a reason: allowed, and activation and every request under it are audited', async () => {
    const res = await activate(breakGlass.token, { reason: 'incident 42: admins unreachable' }).expect(201);
    expect(res.body).toEqual({ activation_id: expect.any(String), expires_at: expect.any(String) });
    const expiresIn = Date.parse(res.body.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(3590_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const activation = await auditRows().findOneOrFail({ where: { action: 'break_glass.activate', actorId: breakGlass.id } });
    expect(activation).toMatchObject({ actorType: 'operator', reason: 'incident 42: admins unreachable', targetId: res.body.activation_id });

    const me = await request(t.server).get('/v1/auth/me').set(auth(breakGlass.token)).expect(200);
    expect(me.body.break_glass_active).toBe(true);

    const created = await createOperator(breakGlass.token).expect(201);
    const requestRow = await auditRows().findOneOrFail({ where: { action: 'break_glass.request', actorId: breakGlass.id, targetId: 'POST /v1/operators' } });
    expect(requestRow.requestId).toBe(created.headers['x-request-id']);
    const change = await auditRows().findOneOrFail({ where: { action: 'operator.create', targetId: created.body.operator.id } });
    expect(change.actorId).toBe(breakGlass.id);

    const list = await request(t.server).get('/v1/operators').set(auth(breakGlass.token)).expect(200);
    expect(await auditRows().count({ where: { action: 'break_glass.request', requestId: list.headers['x-request-id'] } })).toBe(1);
  });

  it('does not give BreakGlassAdmin powers to someone else', async () => {
    const other = await createTestOperator(t.app, ['BreakGlassAdmin']);
    await createOperator(other.token).expect(403);
  });

  it('expires by itself: 403 again once the activation ttl has passed', async () => {
    const shortLived = await createTestOperator(t.app, ['BreakGlassAdmin']);
    await activate(shortLived.token, { reason: 'quick fix', ttl_seconds: 2 }).expect(201);
    await request(t.server).get('/v1/operators').set(auth(shortLived.token)).expect(200);
    await sleep(2200);
    const res = await request(t.server).get('/v1/operators').set(auth(shortLived.token)).expect(403);
    expect(res.body.error.message).toContain('Break-glass is not active');
    const me = await request(t.server).get('/v1/auth/me').set(auth(shortLived.token)).expect(200);
    expect(me.body.break_glass_active).toBe(false);
  });

  it('ends with the operator: a disabled BreakGlassAdmin token is refused even while activated', async () => {
    const target = await createTestOperator(t.app, ['BreakGlassAdmin']);
    await activate(target.token, { reason: 'incident' }).expect(201);
    await request(t.server).patch(`/v1/operators/${target.id}`).set(auth(admin.token)).send({ status: 'disabled', reason: 'misuse' }).expect(200);
    await request(t.server).get('/v1/operators').set(auth(target.token)).expect(401);
  });
});
