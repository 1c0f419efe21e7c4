import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConnectorEntity, OperatorAuditLogEntity, SecretRefEntity, WebhookRouteEntity, type WorkspaceEntity } from '@orch/data';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const UNKNOWN_ID = '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11';
let counter = 0;
const accountId = () => `acct_${process.pid}_${Date.now()}_${counter++}`;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

describe('Webhook routes (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let dataSource: DataSource;
  let ws: WorkspaceEntity;

  const base = (workspaceId: string) => `/v1/workspaces/${workspaceId}/webhook-routes`;
  const auditCount = () => dataSource.getRepository(OperatorAuditLogEntity).count();

  /** Secret refs and connectors are inserted directly: their endpoints are built elsewhere. */
  async function addSecretRef(workspaceId: string, name: string): Promise<void> {
    const repository = dataSource.getRepository(SecretRefEntity);
    await repository.save(repository.create({ workspaceId, name, ref: `env://${name.toUpperCase()}` }));
  }

  async function addConnector(workspaceId: string, name: string): Promise<void> {
    const repository = dataSource.getRepository(ConnectorEntity);
    await repository.save(
      repository.create({
        workspaceId,
        name,
        type: 'http',
        config: {
          base_url: 'https://api.example.test',
          operations: [
            { operation_id: 'record_event', method: 'POST', path: '/events' },
            { operation_id: 'ingest', method: 'POST', path: '/ingest' },
          ],
        },
      }),
    );
  }

  async function createRoute(workspaceId: string, body: Record<string, unknown> = {}, token = admin.token): Promise<request.Response> {
    return request(t.server)
      .post(base(workspaceId))
      .set(bearer(token))
      .send({ provider: 'stripe', signing_secret_ref: 'stripe_signing', target: { kind: 'store' }, reason: 'hook up stripe', ...body })
      .expect(201);
  }

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    ws = await createTestWorkspace(t.app);
    await addSecretRef(ws.id, 'stripe_signing');
    await addSecretRef(ws.id, 'stripe_signing_2026');
    await addConnector(ws.id, 'billing');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('create', () => {
    it('generates an unguessable, unique route key and the ingress path; audited without the key', async () => {
      const account = accountId();
      const res = await createRoute(ws.id, { provider_account_id: account, target: { kind: 'forward', url: 'https://billing.example.test/hooks' }, reason: 'stripe live' });
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        workspace_id: ws.id,
        provider: 'stripe',
        route_key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        ingress_path: `/v1/webhooks/stripe/${res.body.route_key}`,
        provider_account_id: account,
        signing_secret_ref: 'stripe_signing',
        previous_signing_secret_ref: null,
        previous_secret_expires_at: null,
        verification: { scheme: 'stripe', tolerance_seconds: 300 },
        target: { kind: 'forward', url: 'https://billing.example.test/hooks' },
        enabled: true,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: res.body.id });
      expect(audit).toMatchObject({ action: 'webhook_route.create', workspaceId: ws.id, targetType: 'webhook_route', reason: 'stripe live', actorId: admin.id });
      expect(JSON.stringify(audit.after)).not.toContain(res.body.route_key);

      const keys = new Set<string>([res.body.route_key]);
      for (let i = 0; i < 5; i++) keys.add((await createRoute(ws.id)).body.route_key);
      expect(keys.size).toBe(6);
    });

    it('accepts hmac-sha256 with its verification, and connector and store targets', async () => {
      const hmac = await createRoute(ws.id, {
        provider: 'hmac-sha256',
        verification: { header_name: 'X-Signature', encoding: 'base64', event_id_path: '$.data.id', prefix: 'sha256=' },
        target: { kind: 'connector', connector: 'billing', operation: 'record_event' },
        enabled: false,
      });
      expect(hmac.body).toMatchObject({
        provider: 'hmac-sha256',
        ingress_path: `/v1/webhooks/hmac-sha256/${hmac.body.route_key}`,
        verification: { scheme: 'hmac-sha256', header_name: 'x-signature', encoding: 'base64', event_id_path: '$.data.id', prefix: 'sha256=' },
        target: { kind: 'connector', connector: 'billing', operation: 'record_event' },
        enabled: false,
      });
      // The test deployment allows plain http for forwards.
      await createRoute(ws.id, { provider: 'standard-webhooks', target: { kind: 'forward', url: 'http://127.0.0.1:9999/cb' } });
    });

    it('refuses invalid bodies with paths and writes nothing', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ provider: 'github' }, '/provider'],
        [{ signing_secret_ref: '' }, '/signing_secret_ref'],
        [{ signing_secret_ref: 'no_such_ref' }, '/signing_secret_ref'],
        [{ target: { kind: 'email' } }, '/target/kind'],
        [{ target: undefined }, '/target'],
        [{ target: { kind: 'forward' } }, '/target/url'],
        [{ target: { kind: 'forward', url: 'ftp://example.test' } }, '/target/url'],
        [{ target: { kind: 'forward', url: 'https://user:pw@example.test' } }, '/target/url'],
        [{ target: { kind: 'store', url: 'https://example.test' } }, '/target/url'],
        [{ target: { kind: 'connector', connector: 'billing' } }, '/target/operation'],
        [{ target: { kind: 'connector', connector: 'ghost', operation: 'x' } }, '/target/connector'],
        [{ target: { kind: 'connector', connector: 'billing', operation: 'not_offered' } }, '/target/operation'],
        [{ target: { kind: 'store', extra: 1 } }, '/target/extra'],
        [{ provider: 'hmac-sha256' }, '/verification'],
        [{ verification: { header_name: 'X-Sig', encoding: 'hex', event_id_path: '$.id' } }, '/verification'],
        [{ provider: 'hmac-sha256', verification: { header_name: 'X Sig', encoding: 'hex', event_id_path: '$.id' } }, '/verification/header_name'],
        [{ provider: 'hmac-sha256', verification: { header_name: 'X-Sig', encoding: 'utf8', event_id_path: '$.id' } }, '/verification/encoding'],
        [{ provider: 'hmac-sha256', verification: { header_name: 'X-Sig', encoding: 'hex', event_id_path: 'id' } }, '/verification/event_id_path'],
        [{ route_key: 'mine' }, '/route_key'],
        [{ signing_secret: 'whsec_value' }, '/signing_secret'],
      ];
      const before = await dataSource.getRepository(WebhookRouteEntity).countBy({ workspaceId: ws.id });
      for (const [body, path] of cases) {
        const res = await request(t.server)
          .post(base(ws.id))
          .set(bearer(admin.token))
          .send({ provider: 'stripe', signing_secret_ref: 'stripe_signing', target: { kind: 'store' }, reason: 'r', ...body })
          .expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
      expect(await dataSource.getRepository(WebhookRouteEntity).countBy({ workspaceId: ws.id })).toBe(before);
    });

    it("refuses another workspace's secret ref as unknown", async () => {
      const other = await createTestWorkspace(t.app);
      await addSecretRef(other.id, 'only_there');
      const res = await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ provider: 'stripe', signing_secret_ref: 'only_there', target: { kind: 'store' }, reason: 'r' }).expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: '/signing_secret_ref' })]);
    });

    it('answers a provider account id taken by the same provider with 409, in any workspace; another provider may use it', async () => {
      const account = accountId();
      await createRoute(ws.id, { provider_account_id: account });
      const other = await createTestWorkspace(t.app);
      await addSecretRef(other.id, 'stripe_signing');
      const before = await auditCount();
      for (const workspaceId of [ws.id, other.id]) {
        const res = await request(t.server).post(base(workspaceId)).set(bearer(admin.token)).send({ provider: 'stripe', signing_secret_ref: 'stripe_signing', provider_account_id: account, target: { kind: 'store' }, reason: 'r' }).expect(409);
        expectError(res.body, 'CONFLICT');
      }
      expect(await auditCount()).toBe(before);
      await createRoute(ws.id, { provider: 'standard-webhooks', provider_account_id: account });
    });

    it('needs a reason (400, nothing written), a write role (403) and a token (401)', async () => {
      const body = { provider: 'stripe', signing_secret_ref: 'stripe_signing', target: { kind: 'store' } };
      const before = await dataSource.getRepository(WebhookRouteEntity).countBy({ workspaceId: ws.id });
      const createAudits = () => dataSource.getRepository(OperatorAuditLogEntity).countBy({ workspaceId: ws.id, action: 'webhook_route.create' });
      const auditBefore = await createAudits();
      expectError((await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send(body).expect(400)).body, 'REASON_REQUIRED');
      const auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
      expectError((await request(t.server).post(base(ws.id)).set(bearer(auditor.token)).send({ ...body, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).post(base(ws.id)).send({ ...body, reason: 'r' }).expect(401)).body, 'UNAUTHENTICATED');
      expect(await dataSource.getRepository(WebhookRouteEntity).countBy({ workspaceId: ws.id })).toBe(before);
      // The denied attempt itself is audited (as a denial); no route change is.
      expect(await createAudits()).toBe(auditBefore);
      await request(t.server).get(base(ws.id)).set(bearer(auditor.token)).expect(200);
    });
  });

  describe('read', () => {
    it('lists and gets routes; unknown or malformed ids are 404', async () => {
      const created = await createRoute(ws.id);
      const list = await request(t.server).get(base(ws.id)).set(bearer(admin.token)).query({ limit: 200 }).expect(200);
      expect(list.body.data.find((r: { id: string }) => r.id === created.body.id)).toEqual(created.body);
      expect((await request(t.server).get(`${base(ws.id)}/${created.body.id}`).set(bearer(admin.token)).expect(200)).body).toEqual(created.body);
      for (const id of [UNKNOWN_ID, 'not-a-uuid']) {
        expectError((await request(t.server).get(`${base(ws.id)}/${id}`).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
      }
    });
  });

  describe('update', () => {
    it('rotates the signing secret: the current ref becomes the previous one, accepted for the grace period (default a day)', async () => {
      const created = await createRoute(ws.id);
      const res = await request(t.server).patch(`${base(ws.id)}/${created.body.id}`).set(bearer(admin.token)).send({ signing_secret_ref: 'stripe_signing_2026', reason: 'yearly rotation' }).expect(200);
      expect(res.body).toMatchObject({ signing_secret_ref: 'stripe_signing_2026', previous_signing_secret_ref: 'stripe_signing', route_key: created.body.route_key });
      const expiresIn = Date.parse(res.body.previous_secret_expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(86_390_000);
      expect(expiresIn).toBeLessThanOrEqual(86_400_000);
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: created.body.id, action: 'webhook_route.update' });
      expect(audit).toMatchObject({ reason: 'yearly rotation' });
      expect(audit.before).toMatchObject({ signing_ref: 'stripe_signing' });
      expect(audit.after).toMatchObject({ signing_ref: 'stripe_signing_2026', previous_signing_ref: 'stripe_signing', rotation_grace_seconds: 86_400 });

      const back = await request(t.server)
        .patch(`${base(ws.id)}/${created.body.id}`)
        .set(bearer(admin.token))
        .send({ signing_secret_ref: 'stripe_signing', rotation_grace_seconds: 60, reason: 'back' })
        .expect(200);
      expect(back.body.previous_signing_secret_ref).toBe('stripe_signing_2026');
      expect(Date.parse(back.body.previous_secret_expires_at) - Date.now()).toBeLessThanOrEqual(60_000);
      const now = await request(t.server).patch(`${base(ws.id)}/${created.body.id}`).set(bearer(admin.token)).send({ signing_secret_ref: 'stripe_signing_2026', rotation_grace_seconds: 0, reason: 'leaked' }).expect(200);
      expect(now.body).toMatchObject({ previous_signing_secret_ref: null, previous_secret_expires_at: null });
    });

    it('changes target, account and enabled; refuses provider changes, bad grace and unknown refs', async () => {
      const created = await createRoute(ws.id);
      const path = `${base(ws.id)}/${created.body.id}`;
      const account = accountId();
      const res = await request(t.server).patch(path).set(bearer(admin.token)).send({ target: { kind: 'connector', connector: 'billing', operation: 'ingest' }, provider_account_id: account, enabled: false, reason: 'r' }).expect(200);
      expect(res.body).toMatchObject({ target: { kind: 'connector', connector: 'billing', operation: 'ingest' }, provider_account_id: account, enabled: false, provider: 'stripe' });
      const before = await dataSource.getRepository(WebhookRouteEntity).findOneByOrFail({ id: created.body.id });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ provider: 'hmac-sha256' }, '/provider'],
        [{ signing_secret_ref: 'ghost' }, '/signing_secret_ref'],
        [{ signing_secret_ref: 'stripe_signing_2026', rotation_grace_seconds: 7 * 86_400 + 1 }, '/rotation_grace_seconds'],
        [{ rotation_grace_seconds: 60 }, '/rotation_grace_seconds'],
        [{ target: { kind: 'forward', url: 'not a url' } }, '/target/url'],
        [{ verification: { header_name: 'X-Sig', encoding: 'hex', event_id_path: '$.id' } }, '/verification'],
        [{ signing_secret_ref: null }, '/signing_secret_ref'],
        [{ route_key: 'mine' }, '/route_key'],
      ];
      for (const [body, p] of cases) {
        const bad = await request(t.server).patch(path).set(bearer(admin.token)).send({ ...body, reason: 'r' }).expect(400);
        expectError(bad.body, 'VALIDATION_FAILED');
        expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain(p);
      }
      const taken = accountId();
      await createRoute(ws.id, { provider_account_id: taken });
      expectError((await request(t.server).patch(path).set(bearer(admin.token)).send({ provider_account_id: taken, reason: 'r' }).expect(409)).body, 'CONFLICT');
      expectError((await request(t.server).patch(path).set(bearer(admin.token)).send({ enabled: true }).expect(400)).body, 'REASON_REQUIRED');
      expect(await dataSource.getRepository(WebhookRouteEntity).findOneByOrFail({ id: created.body.id })).toEqual(before);
      const cleared = await request(t.server).patch(path).set(bearer(admin.token)).send({ provider_account_id: null, reason: 'r' }).expect(200);
      expect(cleared.body.provider_account_id).toBeNull();
    });
  });

  describe('delete', () => {
    it('deletes with a reason and audits it; then 404', async () => {
      const created = await createRoute(ws.id);
      const path = `${base(ws.id)}/${created.body.id}`;
      expectError((await request(t.server).delete(path).set(bearer(admin.token)).expect(400)).body, 'REASON_REQUIRED');
      await request(t.server).delete(path).set(bearer(admin.token)).set('x-reason', 'stripe account closed').expect(204);
      await request(t.server).get(path).set(bearer(admin.token)).expect(404);
      await request(t.server).delete(path).set(bearer(admin.token)).send({ reason: 'again' }).expect(404);
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: created.body.id, action: 'webhook_route.delete' });
      expect(audit).toMatchObject({ reason: 'stripe account closed', after: null });
    });
  });

  describe('BOLA: workspace A cannot reach workspace B', () => {
    it("answers 404 to A's control token on every route of B's webhook routes, and B's route is unchanged", async () => {
      const a = await createTestWorkspace(t.app);
      const b = await createTestWorkspace(t.app);
      await addSecretRef(a.id, 'stripe_signing');
      await addSecretRef(b.id, 'stripe_signing');
      const bRoute = (await createRoute(b.id)).body as { id: string };
      const aToken = await serviceToken(t.app, a.id, ['workspace:read', 'workspace:write'], { audience: 'control' });
      await createRoute(a.id, {}, aToken);

      const before = await dataSource.getRepository(WebhookRouteEntity).findOneByOrFail({ id: bRoute.id });
      const auditBefore = await auditCount();
      const body = { provider: 'stripe', signing_secret_ref: 'stripe_signing', target: { kind: 'store' }, reason: 'r' };
      const attempts = [
        request(t.server).get(base(b.id)).set(bearer(aToken)),
        request(t.server).post(base(b.id)).set(bearer(aToken)).send(body),
        request(t.server).get(`${base(b.id)}/${bRoute.id}`).set(bearer(aToken)),
        request(t.server).patch(`${base(b.id)}/${bRoute.id}`).set(bearer(aToken)).send({ enabled: false, reason: 'r' }),
        request(t.server).delete(`${base(b.id)}/${bRoute.id}`).set(bearer(aToken)).send({ reason: 'r' }),
        // B's route id under A's own path: still not found.
        request(t.server).get(`${base(a.id)}/${bRoute.id}`).set(bearer(aToken)),
        request(t.server).patch(`${base(a.id)}/${bRoute.id}`).set(bearer(aToken)).send({ enabled: false, reason: 'r' }),
        request(t.server).delete(`${base(a.id)}/${bRoute.id}`).set(bearer(aToken)).send({ reason: 'r' }),
      ];
      for (const attempt of attempts) {
        const res = await attempt;
        expect(res.status).toBe(404);
        expectError(res.body, 'NOT_FOUND');
      }
      expect(await dataSource.getRepository(WebhookRouteEntity).findOneByOrFail({ id: bRoute.id })).toEqual(before);
      expect(await dataSource.getRepository(WebhookRouteEntity).countBy({ workspaceId: b.id })).toBe(1);
      expect(await auditCount()).toBe(auditBefore);
      // An operator also gets 404 for B's route under A's path.
      await request(t.server).get(`${base(a.id)}/${bRoute.id}`).set(bearer(admin.token)).expect(404);
    });
  });
});
