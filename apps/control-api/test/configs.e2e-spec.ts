import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConfigActivationEntity, ConfigEntity, ConfigPointerEntity, OperatorAuditLogEntity, type WorkspaceEntity } from '@orch/data';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const configName = () => `cfg-${counter++}`;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

describe('Configs (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let dataSource: DataSource;
  let ws: WorkspaceEntity;

  const base = (workspaceId: string) => `/v1/workspaces/${workspaceId}/configs`;

  async function createVersion(workspaceId: string, body: Record<string, unknown>, token = admin.token): Promise<request.Response> {
    return request(t.server).post(base(workspaceId)).set(bearer(token)).send({ reason: 'release', ...body }).expect(201);
  }

  const auditCount = () => dataSource.getRepository(OperatorAuditLogEntity).count();

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    ws = await createTestWorkspace(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('create', () => {
    it('creates an immutable version with checksum and creator, not active, audited with the reason', async () => {
      const name = configName();
      const res = await createVersion(ws.id, { name, data: { foo: 'bar', n: [1, 2] }, reason: 'first cut' });
      expect(res.body).toEqual({
        name,
        version: 'v1',
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
        data: { foo: 'bar', n: [1, 2] },
        created_at: expect.any(String),
        created_by: admin.id,
      });
      await request(t.server).get(`${base(ws.id)}/${name}/active`).set(bearer(admin.token)).expect(404);
      const row = await dataSource.getRepository(ConfigEntity).findOneByOrFail({ workspaceId: ws.id, name, version: 'v1' });
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: row.id });
      expect(audit).toMatchObject({ action: 'config.create', workspaceId: ws.id, targetType: 'config', reason: 'first cut', actorId: admin.id });
      expect(audit.after).toMatchObject({ name, version: 'v1', checksum: res.body.checksum, activated: false });
    });

    it('numbers versions v<N+1> by default and keeps explicit ones', async () => {
      const name = configName();
      await createVersion(ws.id, { name, data: {} });
      await createVersion(ws.id, { name, version: '2025-01-31', data: {} });
      expect((await createVersion(ws.id, { name, data: {} })).body.version).toBe('v2');
      expect((await createVersion(ws.id, { name, version: 'v9', data: {} })).body.version).toBe('v9');
      expect((await createVersion(ws.id, { name, data: {} })).body.version).toBe('v10');
    });

    it('gives the same checksum whatever the key order', async () => {
      const a = await createVersion(ws.id, { name: configName(), data: { a: 1, b: { c: 2, d: [3, { e: 4, f: 5 }] } } });
      const b = await createVersion(ws.id, { name: configName(), data: { b: { d: [3, { f: 5, e: 4 }], c: 2 }, a: 1 } });
      expect(b.body.checksum).toBe(a.body.checksum);
      const c = await createVersion(ws.id, { name: configName(), data: { a: 2 } });
      expect(c.body.checksum).not.toBe(a.body.checksum);
    });

    it('answers a duplicate version with 409 and writes nothing', async () => {
      const name = configName();
      await createVersion(ws.id, { name, version: 'v1', data: { x: 1 } });
      const before = await auditCount();
      const res = await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ name, version: 'v1', data: { x: 2 }, reason: 'again' }).expect(409);
      expectError(res.body, 'CONFLICT');
      expect(await dataSource.getRepository(ConfigEntity).countBy({ workspaceId: ws.id, name })).toBe(1);
      expect(await auditCount()).toBe(before);
    });

    it('activates on create only with activate: true', async () => {
      const name = configName();
      await createVersion(ws.id, { name, data: { on: true }, activate: true });
      const active = await request(t.server).get(`${base(ws.id)}/${name}/active`).set(bearer(admin.token)).expect(200);
      expect(active.body).toMatchObject({ name, version: 'v1', data: { on: true } });
      const history = await request(t.server).get(`${base(ws.id)}/${name}/history`).set(bearer(admin.token)).expect(200);
      expect(history.body.data).toEqual([expect.objectContaining({ action: 'activate', from_version: null, to_version: 'v1', reason: 'release', actor: admin.id })]);
    });

    it('validates name, version and data with paths', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ name: 'Bad Name', data: {} }, '/name'],
        [{ name: configName(), version: '-v1', data: {} }, '/version'],
        [{ name: configName(), data: [1, 2] }, '/data'],
        [{ name: configName(), data: 'text' }, '/data'],
        [{ name: configName() }, '/data'],
        [{ name: configName(), data: { big: 'x'.repeat(256 * 1024) } }, '/data'],
        [{ name: configName(), data: {}, extra: 1 }, '/extra'],
      ];
      for (const [body, path] of cases) {
        const res = await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ ...body, reason: 'r' }).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
    });

    it('needs a reason: 400, nothing created, no audit row', async () => {
      const name = configName();
      const before = await auditCount();
      expectError((await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ name, data: {} }).expect(400)).body, 'REASON_REQUIRED');
      expect(await dataSource.getRepository(ConfigEntity).countBy({ name })).toBe(0);
      expect(await auditCount()).toBe(before);
    });

    it('is refused to a ReadOnlyAuditor (403) and without a token (401); the auditor may read', async () => {
      const auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
      const name = configName();
      expectError((await request(t.server).post(base(ws.id)).set(bearer(auditor.token)).send({ name, data: {}, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).post(base(ws.id)).send({ name, data: {}, reason: 'r' }).expect(401)).body, 'UNAUTHENTICATED');
      expect(await dataSource.getRepository(ConfigEntity).countBy({ name })).toBe(0);
      await request(t.server).get(base(ws.id)).set(bearer(auditor.token)).expect(200);
    });
  });

  describe('activate and rollback', () => {
    it('v1 → v2 → rollback to v1 → second rollback 409; history and pointer follow', async () => {
      const name = configName();
      const path = `${base(ws.id)}/${name}`;
      await createVersion(ws.id, { name, data: { n: 1 } });
      await createVersion(ws.id, { name, data: { n: 2 } });

      const first = await request(t.server).post(`${path}/activate`).set(bearer(admin.token)).send({ version: 'v1', reason: 'go live' }).expect(200);
      expect(first.body).toMatchObject({ name, active: { version: 'v1' }, previous_version: null, activation: { action: 'activate', from_version: null, to_version: 'v1' } });
      const second = await request(t.server).post(`${path}/activate`).set(bearer(admin.token)).send({ version: 'v2', reason: 'ship v2' }).expect(200);
      expect(second.body).toMatchObject({ active: { version: 'v2' }, previous_version: 'v1', activation: { from_version: 'v1', to_version: 'v2' } });
      expect((await request(t.server).get(`${path}/active`).set(bearer(admin.token)).expect(200)).body).toMatchObject({ version: 'v2', data: { n: 2 } });

      const again = await request(t.server).post(`${path}/activate`).set(bearer(admin.token)).send({ version: 'v2', reason: 'twice' }).expect(409);
      expectError(again.body, 'CONFLICT');
      expect(again.body.error.message).toMatch(/already the active version/);

      const rolled = await request(t.server).post(`${path}/rollback`).set(bearer(admin.token)).send({ reason: 'v2 broke checkout' }).expect(200);
      expect(rolled.body).toMatchObject({ active: { version: 'v1' }, previous_version: null, activation: { action: 'rollback', from_version: 'v2', to_version: 'v1', reason: 'v2 broke checkout' } });
      expect((await request(t.server).get(`${path}/active`).set(bearer(admin.token)).expect(200)).body).toMatchObject({ version: 'v1', data: { n: 1 } });

      const before = await auditCount();
      const twice = await request(t.server).post(`${path}/rollback`).set(bearer(admin.token)).set('x-reason', 'again').expect(409);
      expectError(twice.body, 'CONFLICT');
      expect(await auditCount()).toBe(before);

      const history = await request(t.server).get(`${path}/history`).set(bearer(admin.token)).expect(200);
      expect(history.body.data).toEqual([
        expect.objectContaining({ action: 'rollback', from_version: 'v2', to_version: 'v1', reason: 'v2 broke checkout', actor: admin.id, created_at: expect.any(String) }),
        expect.objectContaining({ action: 'activate', from_version: 'v1', to_version: 'v2', reason: 'ship v2' }),
        expect.objectContaining({ action: 'activate', from_version: null, to_version: 'v1', reason: 'go live' }),
      ]);
      expect(await dataSource.getRepository(ConfigActivationEntity).countBy({ workspaceId: ws.id, name })).toBe(3);
      const audits = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { workspaceId: ws.id, targetType: 'config' }, order: { id: 'ASC' } });
      expect(audits.filter((a) => ['config.activate', 'config.rollback'].includes(a.action) && (a.after as { name?: string }).name === name).map((a) => [a.action, a.reason])).toEqual([
        ['config.activate', 'go live'],
        ['config.activate', 'ship v2'],
        ['config.rollback', 'v2 broke checkout'],
      ]);

      // Activating v2 again makes v1 the rollback target once more.
      await request(t.server).post(`${path}/activate`).set(bearer(admin.token)).send({ version: 'v2', reason: 'fixed' }).expect(200);
      await request(t.server).post(`${path}/rollback`).set(bearer(admin.token)).send({ reason: 'still broken' }).expect(200);
    });

    it('lists names with their active version, and versions newest first with pagination', async () => {
      const name = configName();
      for (let i = 0; i < 3; i++) await createVersion(ws.id, { name, data: { i } });
      await request(t.server).post(`${base(ws.id)}/${name}/activate`).set(bearer(admin.token)).send({ version: 'v2', reason: 'r' }).expect(200);
      const list = await request(t.server).get(base(ws.id)).set(bearer(admin.token)).query({ limit: 200 }).expect(200);
      expect(list.body.data.find((c: { name: string }) => c.name === name)).toEqual({ name, active_version: 'v2', previous_version: null, version_count: 3, latest_created_at: expect.any(String) });

      const page1 = await request(t.server).get(`${base(ws.id)}/${name}/versions`).set(bearer(admin.token)).query({ limit: 2 }).expect(200);
      expect(page1.body.data.map((v: { version: string }) => v.version)).toEqual(['v3', 'v2']);
      expect(page1.body.next_cursor).toEqual(expect.any(String));
      const page2 = await request(t.server).get(`${base(ws.id)}/${name}/versions`).set(bearer(admin.token)).query({ limit: 2, cursor: page1.body.next_cursor }).expect(200);
      expect(page2.body).toEqual({ data: [expect.objectContaining({ version: 'v1', data: { i: 0 } })], next_cursor: null });

      const one = await request(t.server).get(`${base(ws.id)}/${name}/versions/v3`).set(bearer(admin.token)).expect(200);
      expect(one.body).toMatchObject({ name, version: 'v3', data: { i: 2 } });
    });

    it('serialises concurrent activations: every one lands as a history row chained from the previous', async () => {
      const name = configName();
      for (let i = 0; i < 4; i++) await createVersion(ws.id, { name, data: { i } });
      const results = await Promise.all(
        ['v1', 'v2', 'v3', 'v4'].map((version) => request(t.server).post(`${base(ws.id)}/${name}/activate`).set(bearer(admin.token)).send({ version, reason: 'race' })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const history = await request(t.server).get(`${base(ws.id)}/${name}/history`).set(bearer(admin.token)).expect(200);
      // created_at is each transaction's start, not its turn at the lock: follow the from → to links instead.
      const moves = history.body.data as Array<{ from_version: string | null; to_version: string }>;
      expect(moves).toHaveLength(4);
      const chain: string[] = [];
      let next = moves.find((m) => m.from_version === null);
      while (next) {
        chain.push(next.to_version);
        const from = next.to_version;
        next = moves.find((m) => m.from_version === from);
      }
      expect([...chain].sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
      const pointer = await dataSource.getRepository(ConfigPointerEntity).findOneByOrFail({ workspaceId: ws.id, name });
      const active = await dataSource.getRepository(ConfigEntity).findOneByOrFail({ id: pointer.activeConfigId });
      expect(active.version).toBe(chain[chain.length - 1]);
    });

    it('404s on unknown names and versions; rollback of a never-activated config is 409', async () => {
      const name = configName();
      await createVersion(ws.id, { name, data: {} });
      for (const path of [`${base(ws.id)}/nope/versions`, `${base(ws.id)}/${name}/versions/v7`, `${base(ws.id)}/nope/active`, `${base(ws.id)}/${name}/active`, `${base(ws.id)}/nope/history`]) {
        expectError((await request(t.server).get(path).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
      }
      expectError((await request(t.server).post(`${base(ws.id)}/${name}/activate`).set(bearer(admin.token)).send({ version: 'v7', reason: 'r' }).expect(404)).body, 'NOT_FOUND');
      expectError((await request(t.server).post(`${base(ws.id)}/nope/rollback`).set(bearer(admin.token)).send({ reason: 'r' }).expect(404)).body, 'NOT_FOUND');
      expectError((await request(t.server).post(`${base(ws.id)}/${name}/rollback`).set(bearer(admin.token)).send({ reason: 'r' }).expect(409)).body, 'CONFLICT');
    });

    it('activate needs a reason: 400, pointer unchanged, no audit row', async () => {
      const name = configName();
      await createVersion(ws.id, { name, data: {}, activate: true });
      await createVersion(ws.id, { name, data: { n: 2 } });
      const before = await auditCount();
      expectError((await request(t.server).post(`${base(ws.id)}/${name}/activate`).set(bearer(admin.token)).send({ version: 'v2' }).expect(400)).body, 'REASON_REQUIRED');
      expectError((await request(t.server).post(`${base(ws.id)}/${name}/rollback`).set(bearer(admin.token)).send({}).expect(400)).body, 'REASON_REQUIRED');
      expect((await request(t.server).get(`${base(ws.id)}/${name}/active`).set(bearer(admin.token)).expect(200)).body.version).toBe('v1');
      expect(await auditCount()).toBe(before);
    });
  });

  describe('immutability', () => {
    it('has no update or delete route, and the database refuses an UPDATE or DELETE of a version', async () => {
      const name = configName();
      const created = await createVersion(ws.id, { name, data: { v: 1 } });
      await request(t.server).patch(`${base(ws.id)}/${name}/versions/v1`).set(bearer(admin.token)).send({ data: {}, reason: 'r' }).expect(404);
      await request(t.server).delete(`${base(ws.id)}/${name}/versions/v1`).set(bearer(admin.token)).send({ reason: 'r' }).expect(404);
      await expect(dataSource.query(`UPDATE configs SET data = '{"v":2}'::jsonb WHERE workspace_id = $1 AND name = $2`, [ws.id, name])).rejects.toThrow();
      await expect(dataSource.query('DELETE FROM configs WHERE workspace_id = $1 AND name = $2', [ws.id, name])).rejects.toThrow();
      const row = await dataSource.getRepository(ConfigEntity).findOneByOrFail({ workspaceId: ws.id, name, version: 'v1' });
      expect(row.data).toEqual({ v: 1 });
      expect(row.checksum).toBe(created.body.checksum);
    });
  });

  describe('BOLA: workspace A cannot reach workspace B', () => {
    it("answers 404 to A's control token on every config route of B, and nothing of B changes", async () => {
      const a = await createTestWorkspace(t.app);
      const b = await createTestWorkspace(t.app);
      const name = configName();
      await createVersion(b.id, { name, data: { b: 1 }, activate: true });
      await createVersion(b.id, { name, data: { b: 2 } });
      const aToken = await serviceToken(t.app, a.id, ['workspace:read', 'workspace:write'], { audience: 'control' });
      await createVersion(a.id, { name, data: { a: 1 } }, aToken);

      const auditBefore = await auditCount();
      const activationsBefore = await dataSource.getRepository(ConfigActivationEntity).countBy({ workspaceId: b.id });
      const path = `${base(b.id)}/${name}`;
      const attempts = [
        request(t.server).get(base(b.id)).set(bearer(aToken)),
        request(t.server).post(base(b.id)).set(bearer(aToken)).send({ name, data: {}, reason: 'r' }),
        request(t.server).get(`${path}/versions`).set(bearer(aToken)),
        request(t.server).get(`${path}/versions/v1`).set(bearer(aToken)),
        request(t.server).get(`${path}/active`).set(bearer(aToken)),
        request(t.server).get(`${path}/history`).set(bearer(aToken)),
        request(t.server).post(`${path}/activate`).set(bearer(aToken)).send({ version: 'v2', reason: 'r' }),
        request(t.server).post(`${path}/rollback`).set(bearer(aToken)).send({ reason: 'r' }),
      ];
      for (const attempt of attempts) {
        const res = await attempt;
        expect(res.status).toBe(404);
        expectError(res.body, 'NOT_FOUND');
      }
      expect(await auditCount()).toBe(auditBefore);
      expect(await dataSource.getRepository(ConfigEntity).countBy({ workspaceId: b.id })).toBe(2);
      expect(await dataSource.getRepository(ConfigActivationEntity).countBy({ workspaceId: b.id })).toBe(activationsBefore);
      expect((await request(t.server).get(`${path}/active`).set(bearer(admin.token)).expect(200)).body.version).toBe('v1');
      // A's own config of the same name is A's alone.
      expect((await request(t.server).get(`${base(a.id)}/${name}/versions`).set(bearer(aToken)).expect(200)).body.data).toEqual([expect.objectContaining({ data: { a: 1 } })]);
    });
  });
});
