import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyFile } from '@orch/auth';
import { DEFAULT_POLICY, DEFAULT_WORKSPACE_SETTINGS, OperatorAuditLogEntity, PolicyEntity, WorkspaceEntity } from '@orch/data';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const uniqueName = (suffix = 'dev') => `ws-${process.pid}-${Date.now().toString(36)}-${counter++}-${suffix}`;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

describe('Workspaces (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let auditor: TestOperator;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const auditRowsFor = (targetId: string) => dataSource.getRepository(OperatorAuditLogEntity).find({ where: { targetId }, order: { id: 'ASC' } });

  describe('POST /v1/workspaces', () => {
    it('creates the workspace with default settings, its default policy and one audit row with the reason', async () => {
      const name = uniqueName();
      const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name, reason: 'onboarding acme' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        status: 'active',
        settings: DEFAULT_WORKSPACE_SETTINGS,
        callback_secret_ref: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });

      const policies = await dataSource.getRepository(PolicyEntity).findBy({ workspaceId: res.body.id });
      expect(policies).toHaveLength(1);
      expect(policies[0]).toMatchObject({ name: 'default', timeout: DEFAULT_POLICY.timeout, retry: DEFAULT_POLICY.retry, degradation: DEFAULT_POLICY.degradation });

      const rows = await auditRowsFor(res.body.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'workspace.create',
        actorType: 'operator',
        actorId: admin.id,
        workspaceId: res.body.id,
        targetType: 'workspace',
        reason: 'onboarding acme',
        before: null,
        requestId: res.headers['x-request-id'],
      });
      expect(rows[0].after).toMatchObject({ name, settings: DEFAULT_WORKSPACE_SETTINGS, default_policy_id: policies[0].id });
    });

    it('merges given settings over the defaults and takes the reason from X-Reason', async () => {
      const res = await request(t.server)
        .post('/v1/workspaces')
        .set(bearer(admin.token))
        .set('x-reason', 'pilot with a small quota')
        .send({ name: uniqueName(), settings: { quotas: { rps: 5 }, retention_days: 7 } })
        .expect(201);
      expect(res.body.settings).toEqual({ quotas: { ...DEFAULT_WORKSPACE_SETTINGS.quotas, rps: 5 }, retention_days: 7 });
      expect((await auditRowsFor(res.body.id))[0].reason).toBe('pilot with a small quota');
    });

    it('refuses a prod name in a test (dev-like) deployment with 400 on /name', async () => {
      const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: uniqueName('prod'), reason: 'r' }).expect(400);
      expectError(res.body, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([{ path: '/name', message: expect.stringContaining('-dev') }]);
    });

    it('refuses names that are not lowercase [a-z0-9-]', async () => {
      for (const name of ['Acme-dev', 'acme_dev', 'acme--dev', '-dev', 'a'.repeat(64) + '-dev']) {
        const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name, reason: 'r' }).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('/name');
      }
    });

    it('answers a duplicate name with 409 and writes nothing', async () => {
      const name = uniqueName();
      await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name, reason: 'first' }).expect(201);
      const auditBefore = await dataSource.getRepository(OperatorAuditLogEntity).count();
      const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name, reason: 'again' }).expect(409);
      expectError(res.body, 'CONFLICT');
      expect(await dataSource.getRepository(WorkspaceEntity).countBy({ name })).toBe(1);
      expect(await dataSource.getRepository(OperatorAuditLogEntity).count()).toBe(auditBefore);
    });

    it('answers a missing reason with 400 REASON_REQUIRED, creating nothing and auditing nothing', async () => {
      const name = uniqueName();
      const auditBefore = await dataSource.getRepository(OperatorAuditLogEntity).count();
      const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name }).expect(400);
      expectError(res.body, 'REASON_REQUIRED');
      const blank = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).set('x-reason', '   ').send({ name }).expect(400);
      expectError(blank.body, 'REASON_REQUIRED');
      expect(await dataSource.getRepository(WorkspaceEntity).countBy({ name })).toBe(0);
      expect(await dataSource.getRepository(OperatorAuditLogEntity).count()).toBe(auditBefore);
    });

    it('refuses unknown body fields and invalid settings with paths', async () => {
      const res = await request(t.server)
        .post('/v1/workspaces')
        .set(bearer(admin.token))
        .send({ name: uniqueName(), reason: 'r', owner: 'x', settings: { quotas: { rps: 0 } } })
        .expect(400);
      expectError(res.body, 'VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['/owner', '/settings/quotas/rps']));
    });

    it('is for admins: a ReadOnlyAuditor gets 403, no token 401, a service token 403', async () => {
      const body = { name: uniqueName(), reason: 'r' };
      expectError((await request(t.server).post('/v1/workspaces').set(bearer(auditor.token)).send(body).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).post('/v1/workspaces').send(body).expect(401)).body, 'UNAUTHENTICATED');
      const ws = await createTestWorkspace(t.app);
      const service = await serviceToken(t.app, ws.id, ['workspace:read', 'workspace:write'], { audience: 'control' });
      expectError((await request(t.server).post('/v1/workspaces').set(bearer(service)).send(body).expect(403)).body, 'FORBIDDEN');
      expect(await dataSource.getRepository(WorkspaceEntity).countBy({ name: body.name })).toBe(0);
    });
  });

  describe('GET /v1/workspaces and /v1/workspaces/:id', () => {
    let mine: WorkspaceEntity;
    let other: WorkspaceEntity;
    let confined: string;

    beforeAll(async () => {
      mine = await createTestWorkspace(t.app);
      other = await createTestWorkspace(t.app);
      confined = await serviceToken(t.app, mine.id, ['workspace:read'], { audience: 'control' });
    });

    it('lists every workspace for an operator, newest first, with cursor pagination', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.server)
          .get('/v1/workspaces')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(bearer(auditor.token))
          .expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((w: { id: string }) => w.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      const total = await dataSource.getRepository(WorkspaceEntity).count();
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toEqual(expect.arrayContaining([mine.id, other.id]));
      expect(seen.indexOf(other.id)).toBeLessThan(seen.indexOf(mine.id));
    });

    it('lists only its own workspace for a confined service token', async () => {
      const res = await request(t.server).get('/v1/workspaces').set(bearer(confined)).expect(200);
      expect(res.body).toEqual({ data: [expect.objectContaining({ id: mine.id, name: mine.name, settings: DEFAULT_WORKSPACE_SETTINGS })], next_cursor: null });
    });

    it('gets a workspace, and 404s on unknown or malformed ids', async () => {
      const res = await request(t.server).get(`/v1/workspaces/${mine.id}`).set(bearer(auditor.token)).expect(200);
      expect(res.body).toMatchObject({ id: mine.id, name: mine.name });
      expect(res.body.callback_secret_ref).toBeNull();
      expectError((await request(t.server).get('/v1/workspaces/7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11').set(bearer(auditor.token)).expect(404)).body, 'NOT_FOUND');
      expectError((await request(t.server).get('/v1/workspaces/not-a-uuid').set(bearer(auditor.token)).expect(404)).body, 'NOT_FOUND');
    });

    it('answers 404 to a confined token asking for another workspace', async () => {
      await request(t.server).get(`/v1/workspaces/${mine.id}`).set(bearer(confined)).expect(200);
      const res = await request(t.server).get(`/v1/workspaces/${other.id}`).set(bearer(confined)).expect(404);
      expectError(res.body, 'NOT_FOUND');
    });

    it('answers 404 for a workspace of another environment (a test deployment serves only *-dev)', async () => {
      const prod = await dataSource.getRepository(WorkspaceEntity).save({ name: uniqueName('prod') });
      expectError((await request(t.server).get(`/v1/workspaces/${prod.id}`).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
      const list = await request(t.server).get('/v1/workspaces').query({ limit: 200 }).set(bearer(admin.token)).expect(200);
      expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(prod.id);
    });

    it('validates limit and cursor', async () => {
      for (const query of [{ limit: 0 }, { limit: 201 }, { limit: 'x' }]) {
        const res = await request(t.server).get('/v1/workspaces').query(query).set(bearer(admin.token)).expect(400);
        expect(new Set(res.body.error.details.map((d: { path: string }) => d.path))).toEqual(new Set(['/limit']));
      }
      const res = await request(t.server).get('/v1/workspaces').query({ cursor: 'garbage' }).set(bearer(admin.token)).expect(400);
      expect(res.body.error.details).toEqual([{ path: '/cursor', message: 'is invalid' }]);
    });

    it('refuses no token (401) and a token for the execution plane (401)', async () => {
      expectError((await request(t.server).get('/v1/workspaces').expect(401)).body, 'UNAUTHENTICATED');
      const exec = await serviceToken(t.app, mine.id, ['execute']);
      expectError((await request(t.server).get('/v1/workspaces').set(bearer(exec)).expect(401)).body, 'UNAUTHENTICATED');
      expectError((await request(t.server).get(`/v1/workspaces/${mine.id}`).set(bearer(exec)).expect(401)).body, 'UNAUTHENTICATED');
    });

    it('refuses a control token without workspace:read with 403', async () => {
      const token = await serviceToken(t.app, mine.id, ['identities:read'], { audience: 'control' });
      expectError((await request(t.server).get(`/v1/workspaces/${mine.id}`).set(bearer(token)).expect(403)).body, 'FORBIDDEN');
    });
  });

  describe('PATCH /v1/workspaces/:id', () => {
    let ws: WorkspaceEntity;

    beforeAll(async () => {
      const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: uniqueName(), reason: 'setup' }).expect(201);
      ws = await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: res.body.id });
    });

    it('sets and clears the callback signing secret ref (an existing ref of the workspace), audited', async () => {
      const patch = (body: Record<string, unknown>) => request(t.server).patch(`/v1/workspaces/${ws.id}`).set(bearer(admin.token)).send({ reason: 'callbacks', ...body });
      const unknown = await patch({ callback_secret_ref: 'nope' }).expect(400);
      expect(unknown.body.error.details).toEqual([{ path: '/callback_secret_ref', message: expect.any(String) }]);
      expect((await patch({}).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
      await request(t.server).post(`/v1/workspaces/${ws.id}/secret-refs`).set(bearer(admin.token)).send({ name: 'callback-key', ref: 'vault://callback-key', reason: 'callbacks' }).expect(201);
      const set = await patch({ callback_secret_ref: 'callback-key' }).expect(200);
      expect(set.body.callback_secret_ref).toBe('callback-key');
      const rows = await auditRowsFor(ws.id);
      expect(rows[rows.length - 1]?.after).toMatchObject({ callback_signing_ref: 'callback-key' });
      // A ref in use as the callback key cannot be deleted.
      await request(t.server).delete(`/v1/workspaces/${ws.id}/secret-refs/callback-key`).set(bearer(admin.token)).set('x-reason', 'cleanup').expect(409);
      expect((await patch({ callback_secret_ref: null }).expect(200)).body.callback_secret_ref).toBeNull();
    });

    it('changes only the given settings and audits before and after', async () => {
      const res = await request(t.server)
        .patch(`/v1/workspaces/${ws.id}`)
        .set(bearer(admin.token))
        .send({ settings: { quotas: { concurrency: 3 }, retention_days: 90 }, reason: 'customer upgraded' })
        .expect(200);
      const expected = { quotas: { ...DEFAULT_WORKSPACE_SETTINGS.quotas, concurrency: 3 }, retention_days: 90 };
      expect(res.body.settings).toEqual(expected);
      expect((await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: ws.id })).settings).toEqual(expected);

      const rows = await auditRowsFor(ws.id);
      const update = rows[rows.length - 1];
      expect(update).toMatchObject({ action: 'workspace.update', reason: 'customer upgraded', actorId: admin.id, workspaceId: ws.id });
      expect(update.before).toMatchObject({ settings: DEFAULT_WORKSPACE_SETTINGS });
      expect(update.after).toMatchObject({ settings: expected });
    });

    it('validates settings with JSON-pointer paths and changes nothing', async () => {
      const before = await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: ws.id });
      const res = await request(t.server)
        .patch(`/v1/workspaces/${ws.id}`)
        .set(bearer(admin.token))
        .send({ reason: 'r', settings: { quotas: { rps: -1, concurrency: 1.5, queue_depth: 10_000_001, burst: 3 }, retention_days: 0 } })
        .expect(400);
      expectError(res.body, 'VALIDATION_FAILED');
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['/settings/quotas/rps', '/settings/quotas/concurrency', '/settings/quotas/queue_depth', '/settings/quotas/burst', '/settings/retention_days']));
      for (const bad of [{ reason: 'r' }, { reason: 'r', settings: 'big' }, { reason: 'r', settings: { quotas: { rps: '5' } } }, { reason: 'r', settings: { retention_days: 3651 } }]) {
        expectError((await request(t.server).patch(`/v1/workspaces/${ws.id}`).set(bearer(admin.token)).send(bad).expect(400)).body, 'VALIDATION_FAILED');
      }
      expect((await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: ws.id })).settings).toEqual(before.settings);
    });

    it('answers a missing reason with 400 REASON_REQUIRED: nothing changes and no audit row is written', async () => {
      const before = await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: ws.id });
      const auditBefore = await dataSource.getRepository(OperatorAuditLogEntity).count();
      const res = await request(t.server).patch(`/v1/workspaces/${ws.id}`).set(bearer(admin.token)).send({ settings: { retention_days: 1 } }).expect(400);
      expectError(res.body, 'REASON_REQUIRED');
      const after = await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: ws.id });
      expect(after.settings).toEqual(before.settings);
      expect(after.updatedAt).toEqual(before.updatedAt);
      expect(await dataSource.getRepository(OperatorAuditLogEntity).count()).toBe(auditBefore);
    });

    it('lets a confined token with workspace:write change its own workspace only (another is 404, unchanged)', async () => {
      const other = await createTestWorkspace(t.app);
      const token = await serviceToken(t.app, ws.id, ['workspace:write'], { audience: 'control' });
      await request(t.server).patch(`/v1/workspaces/${ws.id}`).set(bearer(token)).send({ settings: { retention_days: 14 }, reason: 'self-service' }).expect(200);
      const res = await request(t.server).patch(`/v1/workspaces/${other.id}`).set(bearer(token)).send({ settings: { retention_days: 1 }, reason: 'probe' }).expect(404);
      expectError(res.body, 'NOT_FOUND');
      expect((await dataSource.getRepository(WorkspaceEntity).findOneByOrFail({ id: other.id })).settings).toEqual(other.settings);
      expect(await auditRowsFor(other.id)).toEqual([]);
    });

    it('is refused to roles without the right (Support: 403) and 404s on an unknown workspace', async () => {
      const support = await createTestOperator(t.app, ['Support']);
      expectError((await request(t.server).patch(`/v1/workspaces/${ws.id}`).set(bearer(support.token)).send({ settings: {}, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError(
        (await request(t.server).patch('/v1/workspaces/7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11').set(bearer(admin.token)).send({ settings: {}, reason: 'r' }).expect(404)).body,
        'NOT_FOUND',
      );
    });
  });
});

describe('Workspaces in a prod deployment', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let keysDir: string;

  beforeAll(async () => {
    // Prod never generates signing keys: give it one.
    keysDir = mkdtempSync(join(tmpdir(), 'orch-prod-keys-'));
    generateKeyFile(keysDir, 'prod-test-key');
    t = await startTestApp(controlApiApp, { env: { ORCH_ENV: 'prod', ORCH_JWT_KEYS_DIR: keysDir } });
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('accepts only *-prod names', async () => {
    const dev = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: uniqueName('dev'), reason: 'r' }).expect(400);
    expectError(dev.body, 'VALIDATION_FAILED');
    expect(dev.body.error.details).toEqual([{ path: '/name', message: expect.stringContaining('-prod') }]);
    const prod = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: uniqueName('prod'), reason: 'r' }).expect(201);
    await request(t.server).get(`/v1/workspaces/${prod.body.id}`).set(bearer(admin.token)).expect(200);
  });

  it('does not serve a *-dev workspace that exists in its database', async () => {
    const dev = await createTestWorkspace(t.app);
    await request(t.server).get(`/v1/workspaces/${dev.id}`).set(bearer(admin.token)).expect(404);
  });
});
