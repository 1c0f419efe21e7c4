import request from 'supertest';
import { DataSource } from 'typeorm';
import { OperatorAuditLogEntity, OperatorEntity } from '@orch/data';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '@orch/testing';
import type { ControlApiConfig } from '../src/config';
import { controlApiApp } from '../src/app.definition';

const ADMIN_EMAIL = 'first-admin@example.test';
const ADMIN_PASSWORD = 'correct horse battery staple';
const BOOTSTRAP_TOKEN = 'bootstrap-token-0123456789abcdef';

async function operatorsAndBootstrapRows(app: TestApp<ControlApiConfig>): Promise<{ operators: OperatorEntity[]; audit: OperatorAuditLogEntity[] }> {
  const dataSource = app.app.get(DataSource);
  return {
    operators: await dataSource.getRepository(OperatorEntity).find(),
    audit: await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { action: 'operator.bootstrap' } }),
  };
}

describe('Bootstrap of the first OperatorAdmin', () => {
  describe('from ORCH_BOOTSTRAP_ADMIN_* at start-up', () => {
    const env = { ORCH_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, ORCH_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD };
    let db: TestDatabase;
    const apps: Array<TestApp<ControlApiConfig>> = [];

    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await db?.drop();
    });

    it('creates exactly one active OperatorAdmin, audited as the system, when two replicas boot at once', async () => {
      apps.push(...(await Promise.all([startTestApp(controlApiApp, { db, env }), startTestApp(controlApiApp, { db, env })])));
      const { operators, audit } = await operatorsAndBootstrapRows(apps[0]);
      expect(operators).toHaveLength(1);
      expect(operators[0]).toMatchObject({ email: ADMIN_EMAIL, roles: ['OperatorAdmin'], status: 'active', inviteTokenHash: null });
      expect(operators[0].passwordHash).toMatch(/^scrypt\$/);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorType: 'system', actorId: 'bootstrap', targetType: 'operator', targetId: operators[0].id, workspaceId: null });
      expect(JSON.stringify(audit[0].after)).not.toContain('scrypt$');
    });

    it('lets the bootstrapped admin sign in', async () => {
      const res = await request(apps[0].server).post('/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
      expect(res.body.operator).toEqual({ id: expect.any(String), email: ADMIN_EMAIL, roles: ['OperatorAdmin'] });
    });

    it('creates nothing on a later boot, even with another email in the environment', async () => {
      apps.push(await startTestApp(controlApiApp, { db, env: { ...env, ORCH_BOOTSTRAP_ADMIN_EMAIL: 'someone-else@example.test' } }));
      const { operators, audit } = await operatorsAndBootstrapRows(apps[apps.length - 1]);
      expect(operators.map((o) => o.email)).toEqual([ADMIN_EMAIL]);
      expect(audit).toHaveLength(1);
    });
  });

  describe('POST /v1/auth/bootstrap without ORCH_BOOTSTRAP_TOKEN', () => {
    let t: TestApp<ControlApiConfig>;
    beforeAll(async () => {
      t = await startTestApp(controlApiApp);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 404 NOT_FOUND whatever token is sent, and creates nothing', async () => {
      const res = await request(t.server).post('/v1/auth/bootstrap').set('x-bootstrap-token', BOOTSTRAP_TOKEN).send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect((await operatorsAndBootstrapRows(t)).operators).toHaveLength(0);
    });
  });

  describe('POST /v1/auth/bootstrap with ORCH_BOOTSTRAP_TOKEN', () => {
    let t: TestApp<ControlApiConfig>;
    beforeAll(async () => {
      t = await startTestApp(controlApiApp, { env: { ORCH_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 401 UNAUTHENTICATED on a missing or wrong token, and creates nothing', async () => {
      for (const token of [undefined, 'wrong', `${BOOTSTRAP_TOKEN}x`, BOOTSTRAP_TOKEN.slice(0, -1)]) {
        const call = request(t.server).post('/v1/auth/bootstrap');
        if (token !== undefined) void call.set('x-bootstrap-token', token);
        const res = await call.send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      }
      expect((await operatorsAndBootstrapRows(t)).operators).toHaveLength(0);
    });

    it('validates the body (400 with field paths)', async () => {
      const res = await request(t.server).post('/v1/auth/bootstrap').set('x-bootstrap-token', BOOTSTRAP_TOKEN).send({ email: 'not-an-email', password: 'short' }).expect(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['/email', '/password']);
    });

    it('creates the first OperatorAdmin with the right token (201, no secret in the answer)', async () => {
      const res = await request(t.server).post('/v1/auth/bootstrap').set('x-bootstrap-token', BOOTSTRAP_TOKEN).send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(201);
      expect(res.body).toMatchObject({ email: ADMIN_EMAIL, roles: ['OperatorAdmin'], status: 'active', invite_pending: false });
      expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password|token/i);
      const { audit } = await operatorsAndBootstrapRows(t);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorType: 'system', actorId: 'bootstrap', targetId: res.body.id, ip: expect.any(String) });
      await request(t.server).post('/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
    });

    it('answers 409 CONFLICT once an operator exists', async () => {
      const res = await request(t.server).post('/v1/auth/bootstrap').set('x-bootstrap-token', BOOTSTRAP_TOKEN).send({ email: 'second@example.test', password: ADMIN_PASSWORD }).expect(409);
      expect(res.body.error.code).toBe('CONFLICT');
      expect((await operatorsAndBootstrapRows(t)).operators).toHaveLength(1);
    });
  });
});
