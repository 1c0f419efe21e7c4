import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConnectorEntity, OperatorAuditLogEntity, SecretRefEntity } from '@orch/data';
import { createTestOperator, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

const pathsOf = (body: { error: { details?: Array<{ path: string }> } }) => [...new Set((body.error.details ?? []).map((d) => d.path))].sort();

const httpConfig = (secretRef = 'api-token') => ({
  base_url: 'https://api.example.test',
  default_headers: { accept: 'application/json' },
  auth: { kind: 'bearer', secret_ref: secretRef },
  operations: [{ operation_id: 'get_user', method: 'GET', path: '/users/{id}' }],
});

describe('Connectors (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let auditor: TestOperator;
  let dataSource: DataSource;
  let wsId: string;

  const base = (workspaceId: string) => `/v1/workspaces/${workspaceId}/connectors`;
  // Changes to connectors only: refused requests add their own access.denied rows.
  const auditCount = () => dataSource.getRepository(OperatorAuditLogEntity).countBy({ targetType: 'connector' });
  const row = (id: string) => dataSource.getRepository(ConnectorEntity).findOneByOrFail({ id });

  /** Through the API, so it comes with its `default` policy as real workspaces do. */
  async function createWorkspace(): Promise<string> {
    const res = await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: `${uniqueName('ws')}-dev`, reason: 'connector tests' }).expect(201);
    return res.body.id as string;
  }

  async function createSecretRef(workspaceId: string, name: string): Promise<void> {
    const repository = dataSource.getRepository(SecretRefEntity);
    await repository.save(repository.create({ workspaceId, name, ref: `env://${name.toUpperCase().replace(/-/g, '_')}` }));
  }

  async function createConnector(workspaceId: string, body: Record<string, unknown> = {}, token = admin.token): Promise<{ id: string; name: string }> {
    const res = await request(t.server).post(base(workspaceId)).set(bearer(token)).send({ name: uniqueName('c'), type: 'http', config: httpConfig(), reason: 'tests', ...body }).expect(201);
    return res.body;
  }

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
    wsId = await createWorkspace();
    for (const name of ['api-token', 'stripe-key', 'smtp-password', 's3-secret']) await createSecretRef(wsId, name);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST', () => {
    it('creates an http connector with its config as stored, the default policy and the refs it names; one audit row', async () => {
      const name = uniqueName('crm');
      const res = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name, type: 'http', config: httpConfig(), reason: 'crm integration' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        workspace_id: wsId,
        name,
        type: 'http',
        config: httpConfig(),
        policy: 'default',
        secret_refs: { '/auth/secret_ref': 'api-token' },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const rows = await dataSource.getRepository(OperatorAuditLogEntity).findBy({ targetId: res.body.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'connector.create', workspaceId: wsId, targetType: 'connector', reason: 'crm integration', actorId: admin.id, before: null });
      // The audit log redacts every *secret* key, ref names included.
      expect(rows[0].after).toMatchObject({ name, type: 'http', config: { base_url: 'https://api.example.test', auth: { kind: 'bearer' } }, policy: 'default' });
    });

    it('creates stripe, smtp and s3 connectors with the type defaults filled in and a chosen policy', async () => {
      const policy = uniqueName('p');
      await request(t.server).post(`/v1/workspaces/${wsId}/policies`).set(bearer(admin.token)).send({ name: policy, reason: 'r' }).expect(201);
      const stripe = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('stripe'), type: 'stripe', config: { api_key_ref: 'stripe-key' }, policy, reason: 'r' }).expect(201);
      expect(stripe.body).toMatchObject({ config: { api_key_ref: 'stripe-key', base_url: 'https://api.stripe.com' }, policy, secret_refs: { '/api_key_ref': 'stripe-key' } });
      const smtp = await request(t.server)
        .post(base(wsId))
        .set(bearer(admin.token))
        .send({ name: uniqueName('smtp'), type: 'smtp', config: { host: 'smtp.example.test', port: 465, secure: true, username: 'mailer', password_ref: 'smtp-password' }, reason: 'r' })
        .expect(201);
      expect(smtp.body.secret_refs).toEqual({ '/password_ref': 'smtp-password' });
      const s3 = await request(t.server)
        .post(base(wsId))
        .set(bearer(admin.token))
        .send({ name: uniqueName('s3'), type: 's3', config: { region: 'eu-west-1', bucket: 'invoices', access_key_id: 'AKIATEST', secret_access_key_ref: 's3-secret' }, reason: 'r' })
        .expect(201);
      expect(s3.body.config).toEqual({ region: 'eu-west-1', bucket: 'invoices', access_key_id: 'AKIATEST', secret_access_key_ref: 's3-secret', force_path_style: false });
    });

    it('refuses an unknown type at /type and a config off its schema with JSON Pointer paths', async () => {
      const before = await auditCount();
      const unknown = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('x'), type: 'ftp', config: {}, reason: 'r' }).expect(400);
      expectError(unknown.body, 'VALIDATION_FAILED');
      expect(pathsOf(unknown.body)).toEqual(['/type']);

      const bad = await request(t.server)
        .post(base(wsId))
        .set(bearer(admin.token))
        .send({ name: uniqueName('x'), type: 'http', config: { base_url: 'not a url', auth: { kind: 'header', secret_ref: 'api-token' }, operations: [{ operation_id: 'x', method: 'FETCH', path: '/x' }], extra: 1 }, reason: 'r' })
        .expect(400);
      expectError(bad.body, 'VALIDATION_FAILED');
      expect(pathsOf(bad.body)).toEqual(['/config/auth/header_name', '/config/base_url', '/config/extra', '/config/operations/0/method']);

      const kind = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('x'), type: 'http', config: { ...httpConfig(), auth: { kind: 'magic' } }, reason: 'r' }).expect(400);
      expect(kind.body.error.details).toEqual([{ path: '/config/auth/kind', message: 'is not one of the known kinds' }]);

      const stripe = await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('x'), type: 'stripe', config: {}, reason: 'r' }).expect(400);
      expect(stripe.body.error.details).toEqual([{ path: '/config/api_key_ref', message: 'is required' }]);
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: uniqueName('x'), type: 'http', config: 'x', reason: 'r' }).expect(400)).body, 'VALIDATION_FAILED');
      expect(await auditCount()).toBe(before);
    });

    it('refuses an unknown policy at /policy and secret refs the workspace lacks at their config path', async () => {
      const other = await createWorkspace();
      await createSecretRef(other, 'elsewhere');
      const name = uniqueName('x');
      const res = await request(t.server)
        .post(base(wsId))
        .set(bearer(admin.token))
        .send({ name, type: 'http', config: httpConfig('elsewhere'), policy: 'nope', reason: 'r' })
        .expect(400);
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([
          { path: '/policy', message: 'no policy named nope in this workspace' },
          { path: '/config/auth/secret_ref', message: 'no secret ref named elsewhere in this workspace' },
        ]),
      );
      expect(await dataSource.getRepository(ConnectorEntity).countBy({ name })).toBe(0);
    });

    it('answers a duplicate name with 409; the same name in another workspace is fine', async () => {
      const created = await createConnector(wsId);
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name: created.name, type: 'http', config: httpConfig(), reason: 'again' }).expect(409)).body, 'CONFLICT');
      const other = await createWorkspace();
      await createSecretRef(other, 'api-token');
      await createConnector(other, { name: created.name });
    });

    it('needs a reason: 400 REASON_REQUIRED, nothing created, no audit row', async () => {
      const name = uniqueName('noreason');
      const before = await auditCount();
      expectError((await request(t.server).post(base(wsId)).set(bearer(admin.token)).send({ name, type: 'http', config: httpConfig() }).expect(400)).body, 'REASON_REQUIRED');
      expect(await dataSource.getRepository(ConnectorEntity).countBy({ name })).toBe(0);
      expect(await auditCount()).toBe(before);
    });
  });

  describe('GET', () => {
    it('lists and gets connectors with their policy name; 404 on an unknown name', async () => {
      const ws = await createWorkspace();
      await createSecretRef(ws, 'api-token');
      const a = await createConnector(ws);
      const b = await createConnector(ws, { type: 'http', config: { base_url: 'https://b.example.test', operations: [] } });
      const list = await request(t.server).get(base(ws)).set(bearer(auditor.token)).expect(200);
      expect(list.body.next_cursor).toBeNull();
      expect(list.body.data.map((c: { name: string }) => c.name).sort()).toEqual([a.name, b.name].sort());
      expect(list.body.data.every((c: { policy: string }) => c.policy === 'default')).toBe(true);
      const got = await request(t.server).get(`${base(ws)}/${a.name}`).set(bearer(admin.token)).expect(200);
      expect(got.body).toMatchObject({ id: a.id, name: a.name, type: 'http', config: httpConfig(), policy: 'default' });
      expectError((await request(t.server).get(`${base(ws)}/nope`).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
    });
  });

  describe('PATCH', () => {
    it('merges the config patch, re-validates the whole, switches the policy and audits before/after', async () => {
      const created = await createConnector(wsId);
      const policy = uniqueName('p');
      await request(t.server).post(`/v1/workspaces/${wsId}/policies`).set(bearer(admin.token)).send({ name: policy, reason: 'r' }).expect(201);
      const res = await request(t.server)
        .patch(`${base(wsId)}/${created.name}`)
        .set(bearer(admin.token))
        .send({ config: { auth: { kind: 'header', header_name: 'X-Api-Key' }, default_headers: null }, policy, reason: 'switch auth' })
        .expect(200);
      expect(res.body).toMatchObject({ policy, secret_refs: { '/auth/secret_ref': 'api-token' } });
      expect(res.body.config).toEqual({ base_url: 'https://api.example.test', auth: { kind: 'header', header_name: 'X-Api-Key', secret_ref: 'api-token' }, operations: httpConfig().operations });
      const rows = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { targetId: created.id, action: 'connector.update' } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: 'switch auth', before: { policy: 'default', config: { auth: { kind: 'bearer' } } }, after: { policy, config: { auth: { kind: 'header' } } } });
    });

    it('refuses a merged config that breaks the schema, an unknown policy or ref, and a type change; nothing changes', async () => {
      const created = await createConnector(wsId);
      const before = await row(created.id);
      const audits = await auditCount();
      const removed = await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ config: { base_url: null }, reason: 'r' }).expect(400);
      // Without a base_url the operations' relative paths no longer resolve.
      expect(removed.body.error.details).toEqual([{ path: '/config/operations/0/path', message: 'must be an absolute http(s) URL when the connector has no base_url' }]);
      const refs = await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ config: { auth: { secret_ref: 'missing' } }, policy: 'nope', reason: 'r' }).expect(400);
      expect(pathsOf(refs.body)).toEqual(['/config/auth/secret_ref', '/policy']);
      expect(pathsOf((await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ type: 'stripe', reason: 'r' }).expect(400)).body)).toEqual(['/type']);
      expect(await row(created.id)).toEqual(before);
      expect(await auditCount()).toBe(audits);
    });

    it('needs a reason and 404s on an unknown name', async () => {
      const created = await createConnector(wsId);
      const before = await row(created.id);
      const audits = await auditCount();
      expectError((await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).send({ config: { base_url: 'https://new.example.test' } }).expect(400)).body, 'REASON_REQUIRED');
      expect(await row(created.id)).toEqual(before);
      expect(await auditCount()).toBe(audits);
      await request(t.server).patch(`${base(wsId)}/nope`).set(bearer(admin.token)).send({ reason: 'r' }).expect(404);
    });
  });

  describe('DELETE', () => {
    it('deletes with 204 and an audit row; then 404', async () => {
      const created = await createConnector(wsId);
      await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).set('x-reason', 'retired').expect(204);
      await request(t.server).get(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).expect(404);
      const rows = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { targetId: created.id, action: 'connector.delete' } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: 'retired', after: null, before: { name: created.name, type: 'http' } });
      await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).set('x-reason', 'again').expect(404);
    });

    it('needs a reason: 400 and the connector stays', async () => {
      const created = await createConnector(wsId);
      const audits = await auditCount();
      expectError((await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(admin.token)).expect(400)).body, 'REASON_REQUIRED');
      await row(created.id);
      expect(await auditCount()).toBe(audits);
    });
  });

  describe('access', () => {
    it('answers 401 without a token and 403 to a ReadOnlyAuditor writing (who may read)', async () => {
      const created = await createConnector(wsId);
      expectError((await request(t.server).get(base(wsId)).expect(401)).body, 'UNAUTHENTICATED');
      expectError((await request(t.server).post(base(wsId)).send({ name: uniqueName('x'), type: 'http', config: httpConfig(), reason: 'r' }).expect(401)).body, 'UNAUTHENTICATED');
      const audits = await auditCount();
      expectError((await request(t.server).post(base(wsId)).set(bearer(auditor.token)).send({ name: uniqueName('x'), type: 'http', config: httpConfig(), reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).patch(`${base(wsId)}/${created.name}`).set(bearer(auditor.token)).send({ config: {}, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).delete(`${base(wsId)}/${created.name}`).set(bearer(auditor.token)).send({ reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expect(await auditCount()).toBe(audits);
      await request(t.server).get(`${base(wsId)}/${created.name}`).set(bearer(auditor.token)).expect(200);
    });

    it("answers 404 to another workspace's control token on every route, and changes nothing", async () => {
      const other = await createWorkspace();
      await createSecretRef(other, 'api-token');
      const target = await createConnector(wsId);
      const otherToken = await serviceToken(t.app, other, ['workspace:read', 'workspace:write'], { audience: 'control' });
      await createConnector(other, {}, otherToken);
      const before = await row(target.id);
      const audits = await auditCount();
      const attempts = [
        request(t.server).get(base(wsId)).set(bearer(otherToken)),
        request(t.server).get(`${base(wsId)}/${target.name}`).set(bearer(otherToken)),
        request(t.server).post(base(wsId)).set(bearer(otherToken)).send({ name: uniqueName('x'), type: 'http', config: httpConfig(), reason: 'r' }),
        request(t.server).patch(`${base(wsId)}/${target.name}`).set(bearer(otherToken)).send({ config: { base_url: 'https://evil.example.test' }, reason: 'r' }),
        request(t.server).delete(`${base(wsId)}/${target.name}`).set(bearer(otherToken)).send({ reason: 'r' }),
        // A's connector name under its own path does not reach B's row.
        request(t.server).get(`${base(other)}/${target.name}`).set(bearer(otherToken)),
      ];
      for (const attempt of attempts) expectError((await attempt.expect(404)).body, 'NOT_FOUND');
      expect(await row(target.id)).toEqual(before);
      expect(await auditCount()).toBe(audits);
    });
  });
});
