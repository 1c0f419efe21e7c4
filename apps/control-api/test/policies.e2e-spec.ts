import request from 'supertest';
import { DataSource } from 'typeorm';
import { DEFAULT_POLICY, OperatorAuditLogEntity, PolicyEntity } from '@orch/data';
import { createTestOperator, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
const DEFAULT_SHAPE = { timeout: DEFAULT_POLICY.timeout, retry: DEFAULT_POLICY.retry, circuit_breaker: DEFAULT_POLICY.circuit_breaker, rate_limit: DEFAULT_POLICY.rate_limit, degradation: DEFAULT_POLICY.degradation };

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

const pathsOf = (body: { error: { details?: Array<{ path: string }> } }) => (body.error.details ?? []).map((d) => d.path);

describe('Policies (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let auditor: TestOperator;
  let dataSource: DataSource;
  let wsId: string;

  const base = (workspaceId: string) => `/v1/workspaces/${workspaceId}/policies`;
  // Changes to policies only: refused requests add their own access.denied rows.
  const auditCount = () => dataSource.getRepository(OperatorAuditLogEntity).countBy({ targetType: 'policy' });

  /** Through the API, so it comes with its `default` policy as real workspaces do. */
  async function createWorkspace(): Promise<string> {
    const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: `${uniqueName('ws')}-dev`, reason: 'policy tests' }).expect(201);
    return res.body.id as string;
  }

  async function createPolicy(workspaceId: string, body: Record<string, unknown> = {}, token = admin.token): Promise<{ id: string; name: string }> {
    const res = await request(t.server).post(base(workspaceId)).set(bearer(token)).send({ name: uniqueName('p'), reason: 'tests', ...body }).expect(201);
    return res.body;
  }

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
    wsId = await createWorkspace();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST', () => {
    it('creates a policy with every left-out value from the documented defaults, and one audit row with the reason', async () => {
      const name = uniqueName('strict');
      const res = await request(t.server)
        .post(base(wsId))
        .set(bearer(admin.token))
        .send({ name, retry: { max_attempts: 5 }, rate_limit: { refill_per_sec: 2.5 }, degradation: 'queue_with_delay', reason: 'payments need it' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        workspace_id: wsId,
        name,
        timeout: DEFAULT_POLICY.timeout,
        retry: { ...DEFAULT_POLICY.retry, max_attempts: 5 },
        circuit_breaker: DEFAULT_POLICY.circuit_breaker,
        rate_limit: { capacity: DEFAULT_POLICY.rate_limit.capacity, refill_per_sec: 2.5 },
        degradation: 'queue_with_delay',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const rows = await dataSource.getRepository(OperatorAuditLogEntity).findBy({ targetId: res.body.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'policy.create', workspaceId: wsId, targetType: 'policy', reason: 'payments need it', actorId: admin.id, before: null });
      expect(rows[0].after).toMatchObject({ name, retry: { max_attempts: 5 }, rate_limit: { refill_per_sec: 2.5 } });
    });

    it('refuses out-of-range, unknown and ill-typed fields with 400 and JSON Pointer paths', async () => {
      const name = uniqueName('bad');
      const res = await request(t.server)
        .post(base(wsId))
        .set(bearer(admin.token))
        .send({
          name,
          timeout: { connect_ms: -1 },
          retry: { retry_on: ['network', 'later', 200.5], jitter: 'some' },
          circuit_breaker: { failure_rate_threshold: 1.5, failure_rate: 0.5 },
          rate_limit: { refill_per_second: 5 },
          degradation: 'panic',
          reason: 'r',
        })
        .expect(400);
      expectError(res.body, 'VALIDATION_FAILED');
      expect(pathsOf(res.body)).toEqual(
        expect.arrayContaining([
          '/timeout/connect_ms',
          '/retry/retry_on',
          '/retry/jitter',
          '/circuit_breaker/failure_rate_threshold',
          '/circuit_breaker/failure_rate',
          '/rate_limit/refill_per_second',
          '/degradation',
        ]),
      );
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: 'Not A Name', reason: 'r' }).expect(400)).body, 'VALIDATION_FAILED');
      expect(await dataSource.getRepository(PolicyEntity).countBy({ workspaceId: wsId, name })).toBe(0);
    });

    it('checks bounds between fields after filling the defaults', async () => {
      const timeouts = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('t'), timeout: { total_ms: 5000 }, reason: 'r' }).expect(400);
      expect(timeouts.body.error.details).toEqual([{ path: '/timeout/read_ms', message: 'must not exceed total_ms (5000)' }]);
      const delays = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('d'), retry: { base_delay_ms: 3000 }, reason: 'r' }).expect(400);
      expect(pathsOf(delays.body)).toEqual(['/retry/max_delay_ms']);
    });

    it('answers a duplicate name (default included) with 409', async () => {
      const created = await createPolicy(wsId);
      const before = await auditCount();
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: created.name, reason: 'again' }).expect(409)).body, 'CONFLICT');
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: 'default', reason: 'again' }).expect(409)).body, 'CONFLICT');
      expect(await auditCount()).toBe(before);
    });

    it('needs a reason: 400 REASON_REQUIRED, nothing created, no audit row', async () => {
      const name = uniqueName('noreason');
      const before = await auditCount();
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name }).expect(400)).body, 'REASON_REQUIRED');
      expect(await dataSource.getRepository(PolicyEntity).countBy({ name })).toBe(0);
      expect(await auditCount()).toBe(before);
    });
  });

  describe('GET', () => {
    it("lists the workspace's policies with the default first created, and gets one by name", async () => {
      const ws = await createWorkspace();
      const created = await createPolicy(ws);
      const list = await request(t.server).get(base(ws)).set(bearer(auditor.token)).expect(200);
      expect(list.body.next_cursor).toBeNull();
      expect(list.body.data.map((p: { name: string }) => p.name).sort()).toEqual(['default', created.name].sort());
      const defaultPolicy = list.body.data.find((p: { name: string }) => p.name === 'default');
      expect(defaultPolicy).toMatchObject(DEFAULT_SHAPE);

      const got = await request(t.server).get(`${base(ws)}/${created.name}`).set(bearer(admin.token)).expect(200);
      expect(got.body).toMatchObject({ id: created.id, name: created.name, ...DEFAULT_SHAPE });
      const page = await request(t.server).get(`${base(ws)}?limit=1`).set(bearer(admin.token)).expect(200);
      expect(page.body.data).toHaveLength(1);
      expect(page.body.next_cursor).toEqual(expect.any(String));
    });

    it('404s on an unknown name and an unknown workspace', async () => {
      expectError((await request(t.server).get(`${base(wsId)}/nope`).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
      await request(t.server).get(base('7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11')).set(bearer(admin.token)).expect(404);
    });
  });

  describe('PATCH', () => {
    it('changes only the given fields and audits before and after', async () => {
      const created = await createPolicy(wsId);
      const res = await request(t.server)
        .patch(`${base(wsId)}/${created.name}`)
        .set(bearer(admin.token))
        .send({ retry: { max_attempts: 7, retry_on: ['network', 503] }, circuit_breaker: { failure_rate_threshold: 0.25 }, reason: 'tune' })
        .expect(200);
      expect(res.body).toMatchObject({
        timeout: DEFAULT_POLICY.timeout,
        retry: { ...DEFAULT_POLICY.retry, max_attempts: 7, retry_on: ['network', 503] },
        circuit_breaker: { ...DEFAULT_POLICY.circuit_breaker, failure_rate_threshold: 0.25 },
      });
      const rows = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { targetId: created.id, action: 'policy.update' } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: 'tune', before: { retry: { max_attempts: 3 } }, after: { retry: { max_attempts: 7 } } });
    });

    it('validates the merged policy: 400 with paths and nothing changed', async () => {
      const created = await createPolicy(wsId, { timeout: { read_ms: 1000, total_ms: 2000 } });
      const before = await dataSource.getRepository(PolicyEntity).findOneByOrFail({ id: created.id });
      const res = await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ timeout: { read_ms: 3000 }, reason: 'r' }).expect(400);
      expect(pathsOf(res.body)).toEqual(['/timeout/read_ms']);
      expect(pathsOf((await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ name: 'renamed', reason: 'r' }).expect(400)).body)).toEqual(['/name']);
      expect(await dataSource.getRepository(PolicyEntity).findOneByOrFail({ id: created.id })).toEqual(before);
    });

    it('needs a reason and 404s on an unknown name', async () => {
      const created = await createPolicy(wsId);
      const before = await auditCount();
      expectError((await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ retry: { max_attempts: 9 } }).expect(400)).body, 'REASON_REQUIRED');
      expect((await dataSource.getRepository(PolicyEntity).findOneByOrFail({ id: created.id })).retry.max_attempts).toBe(3);
      expect(await auditCount()).toBe(before);
      await request(t.server).patch(`${base(wsId)}/nope`).set(bearer(admin.token)).send({ reason: 'r' }).expect(404);
    });
  });

  describe('DELETE', () => {
    it('deletes with 204 and an audit row; the name is then unknown', async () => {
      const created = await createPolicy(wsId);
      await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).set('x-reason', 'cleanup').expect(204);
      await request(t.server).get(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).expect(404);
      const rows = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { targetId: created.id, action: 'policy.delete' } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: 'cleanup', after: null, before: { name: created.name } });
      await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).set('x-reason', 'again').expect(404);
    });

    it("refuses the workspace's default policy with 409", async () => {
      expectError((await request(t.server).delete(`${base(wsId)}/default`).set(bearer(admin.token)).send({ reason: 'r' }).expect(409)).body, 'CONFLICT');
      expect(await dataSource.getRepository(PolicyEntity).countBy({ workspaceId: wsId, name: 'default' })).toBe(1);
    });

    it('refuses a policy a connector still uses with 409, and deletes it once the connector is gone', async () => {
      const policy = await createPolicy(wsId);
      const connector = uniqueName('c');
      await request(t.server)
        .post(`/v1/workspaces/${wsId}/connectors`)
        .set(bearer(admin.token))
        .send({ name: connector, type: 'http', config: { base_url: 'https://api.example.test', operations: [] }, policy: policy.name, reason: 'r' })
        .expect(201);
      const before = await auditCount();
      const res = await request(t.server).delete(`${base(wsId)}/${policy.name}`).set(bearer(admin.token)).send({ reason: 'r' }).expect(409);
      expectError(res.body, 'CONFLICT');
      expect(await auditCount()).toBe(before);
      await request(t.server).delete(`/v1/workspaces/${wsId}/connectors/${connector}`).set(bearer(admin.token)).send({ reason: 'r' }).expect(204);
      await request(t.server).delete(`${base(wsId)}/${policy.name}`).set(bearer(admin.token)).send({ reason: 'r' }).expect(204);
    });

    it('needs a reason: 400 and the policy stays', async () => {
      const created = await createPolicy(wsId);
      expectError((await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).expect(400)).body, 'REASON_REQUIRED');
      await request(t.server).get(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).expect(200);
    });
  });

  describe('access', () => {
    it('answers 401 without a token and 403 to a ReadOnlyAuditor writing (who may read)', async () => {
      const created = await createPolicy(wsId);
      expectError((await request(t.server).get(base(wsId)).expect(401)).body, 'UNAUTHENTICATED');
      expectError((await request(t.server).post(base(wsId)).send({ name: uniqueName('x'), reason: 'r' }).expect(401)).body, 'UNAUTHENTICATED');
      const before = await auditCount();
      expectError((await request(t.server).post(base(wsId)).set(bearer(auditor.token)).send({ name: uniqueName('x'), reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(auditor.token)).send({ retry: { max_attempts: 1 }, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(auditor.token)).send({ reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expect(await auditCount()).toBe(before);
      await request(t.server).get(`${base(wsId)}/${created.name}`).set(bearer(auditor.token)).expect(200);
    });

    it("answers 404 to another workspace's control token on every route, and changes nothing", async () => {
      const other = await createWorkspace();
      const target = await createPolicy(wsId);
      const otherToken = await serviceToken(t.app, other, ['workspace:read', 'workspace:write'], { audience: 'control' });
      // Its own workspace works.
      await createPolicy(other, {}, otherToken);
      const before = await dataSource.getRepository(PolicyEntity).findOneByOrFail({ id: target.id });
      const audits = await auditCount();
      const attempts = [
        request(t.server).get(base(wsId)).set(bearer(otherToken)),
        request(t.server).get(`${base(wsId)}/${target.name}`).set(bearer(otherToken)),
        request(t.server).post(base(wsId)).set(bearer(otherToken)).send({ name: uniqueName('x'), reason: 'r' }),
        request(t.server).patch(`${base(wsId)}/${target.name}`).set(bearer(otherToken)).send({ retry: { max_attempts: 1 }, reason: 'r' }),
        request(t.server).delete(`${base(wsId)}/${target.name}`).set(bearer(otherToken)).send({ reason: 'r' }),
      ];
      for (const attempt of attempts) expectError((await attempt.expect(404)).body, 'NOT_FOUND');
      expect(await dataSource.getRepository(PolicyEntity).findOneByOrFail({ id: target.id })).toEqual(before);
      expect(await auditCount()).toBe(audits);
    });
  });
});
