import request from 'supertest';
import { DataSource } from 'typeorm';
import { hashSecret } from '@orch/auth';
import { OperatorAuditLogEntity, ServiceIdentityEntity, type WorkspaceEntity } from '@orch/data';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const UNKNOWN_ID = '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11';
let counter = 0;
const svcName = () => `svc:product${counter++}-backend`;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

interface CreatedIdentity {
  id: string;
  name: string;
  client_id: string;
  client_secret: string;
  audience: string;
  scopes: string[];
}

describe('Service identities (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let dataSource: DataSource;
  let ws: WorkspaceEntity;
  /** Every response body except the create/rotate ones that are meant to carry a secret. */
  const readBodies: string[] = [];
  const secrets: string[] = [];

  const base = (workspaceId: string) => `/v1/workspaces/${workspaceId}/service-identities`;

  async function createIdentity(workspaceId: string, body: Partial<CreatedIdentity> & { reason?: string } = {}, token = admin.token): Promise<CreatedIdentity> {
    const res = await request(t.server)
      .post(base(workspaceId))
      .set(bearer(token))
      .send({ name: svcName(), audience: 'orchestrator-exec', scopes: ['execute', 'jobs:read'], reason: 'integration', ...body })
      .expect(201);
    secrets.push(res.body.client_secret);
    return res.body as CreatedIdentity;
  }

  async function mint(clientId: string, clientSecret: string): Promise<request.Response> {
    const res = await request(t.server).post('/v1/oauth/token').send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    readBodies.push(res.text);
    return res;
  }

  async function read(path: string, token = admin.token, status = 200): Promise<request.Response> {
    const res = await request(t.server).get(path).set(bearer(token)).expect(status);
    readBodies.push(res.text);
    return res;
  }

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
    it('returns the client id and a secret shown once, stores only its hash, and audits without it', async () => {
      const res = await request(t.server)
        .post(base(ws.id))
        .set(bearer(admin.token))
        .send({ name: 'svc:billing-backend', audience: 'orchestrator-exec', scopes: ['execute', 'jobs:write'], reason: 'billing goes live' })
        .expect(201);
      secrets.push(res.body.client_secret);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        workspace_id: ws.id,
        name: 'svc:billing-backend',
        client_id: expect.stringMatching(/^ci_[0-9a-f]{32}$/),
        client_secret: expect.stringMatching(/^cs_[A-Za-z0-9_-]{43}$/),
        audience: 'orchestrator-exec',
        scopes: ['execute', 'jobs:write'],
        revoked_at: null,
        previous_secret_expires_at: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const row = await dataSource.getRepository(ServiceIdentityEntity).findOneByOrFail({ id: res.body.id });
      expect(row.clientSecretHash).toBe(hashSecret(res.body.client_secret));
      expect(JSON.stringify(row)).not.toContain(res.body.client_secret);

      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: res.body.id });
      expect(audit).toMatchObject({ action: 'service_identity.create', workspaceId: ws.id, targetType: 'service_identity', reason: 'billing goes live', actorId: admin.id });
      expect(audit.after).toMatchObject({ name: 'svc:billing-backend', client_id: res.body.client_id, audience: 'orchestrator-exec', scopes: ['execute', 'jobs:write'] });
    });

    it('never shows the secret (nor its hash) in list or get', async () => {
      const created = await createIdentity(ws.id);
      const list = await read(base(ws.id));
      const listed = list.body.data.find((i: { id: string }) => i.id === created.id);
      expect(listed).toMatchObject({ id: created.id, client_id: created.client_id, name: created.name });
      const got = await read(`${base(ws.id)}/${created.id}`);
      for (const body of [listed, got.body]) {
        expect(body).not.toHaveProperty('client_secret');
        expect(Object.keys(body).filter((key) => /secret_hash|hash/.test(key))).toEqual([]);
      }
      expect(list.text).not.toContain(created.client_secret);
      expect(list.text).not.toContain(hashSecret(created.client_secret));
      expect(got.text).not.toContain(created.client_secret);
    });

    it('refuses scopes of the other audience, unknown scopes and an empty list with 400 and paths', async () => {
      const exec = await request(t.server)
        .post(base(ws.id))
        .set(bearer(admin.token))
        .send({ name: svcName(), audience: 'orchestrator-exec', scopes: ['execute', 'workspace:read', 'root'], reason: 'r' })
        .expect(400);
      expectError(exec.body, 'VALIDATION_FAILED');
      expect(exec.body.error.details.map((d: { path: string }) => d.path)).toEqual(['/scopes/1', '/scopes/2']);
      const control = await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ name: svcName(), audience: 'orchestrator-control', scopes: ['execute'], reason: 'r' }).expect(400);
      expect(control.body.error.details).toEqual([expect.objectContaining({ path: '/scopes/0' })]);
      for (const body of [
        { name: svcName(), audience: 'orchestrator-exec', scopes: [] },
        { name: svcName(), audience: 'orchestrator-exec', scopes: ['execute', 'execute'] },
        { name: svcName(), audience: 'orchestrator-admin', scopes: ['execute'] },
        { name: 'billing-backend', audience: 'orchestrator-exec', scopes: ['execute'] },
        { name: 'svc:Billing', audience: 'orchestrator-exec', scopes: ['execute'] },
        { name: svcName(), audience: 'orchestrator-exec', scopes: ['execute'], client_secret: 'mine' },
      ]) {
        expectError((await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ ...body, reason: 'r' }).expect(400)).body, 'VALIDATION_FAILED');
      }
      expect(await dataSource.getRepository(ServiceIdentityEntity).countBy({ workspaceId: ws.id, audience: 'orchestrator-control' })).toBe(0);
    });

    it('answers a duplicate name in the workspace with 409; the same name in another workspace is fine', async () => {
      const name = svcName();
      await createIdentity(ws.id, { name });
      expectError(
        (await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ name, audience: 'orchestrator-exec', scopes: ['execute'], reason: 'again' }).expect(409)).body,
        'CONFLICT',
      );
      const other = await createTestWorkspace(t.app);
      await createIdentity(other.id, { name });
    });

    it('needs a reason: 400 REASON_REQUIRED and nothing created', async () => {
      const name = svcName();
      const res = await request(t.server).post(base(ws.id)).set(bearer(admin.token)).send({ name, audience: 'orchestrator-exec', scopes: ['execute'] }).expect(400);
      expectError(res.body, 'REASON_REQUIRED');
      expect(await dataSource.getRepository(ServiceIdentityEntity).countBy({ name })).toBe(0);
    });

    it('404s on an unknown workspace', async () => {
      await request(t.server).post(base(UNKNOWN_ID)).set(bearer(admin.token)).send({ name: svcName(), audience: 'orchestrator-exec', scopes: ['execute'], reason: 'r' }).expect(404);
    });

    it('is refused to roles without the right, to control tokens lacking identities:write and to no token', async () => {
      const support = await createTestOperator(t.app, ['Support']);
      const body = { name: svcName(), audience: 'orchestrator-exec', scopes: ['execute'], reason: 'r' };
      expectError((await request(t.server).post(base(ws.id)).set(bearer(support.token)).send(body).expect(403)).body, 'FORBIDDEN');
      const reader = await serviceToken(t.app, ws.id, ['identities:read'], { audience: 'control' });
      expectError((await request(t.server).post(base(ws.id)).set(bearer(reader)).send(body).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).post(base(ws.id)).send(body).expect(401)).body, 'UNAUTHENTICATED');
    });
  });

  describe('BOLA: workspace A cannot reach workspace B', () => {
    let a: WorkspaceEntity;
    let b: WorkspaceEntity;
    let bIdentity: CreatedIdentity;
    let aToken: string;

    beforeAll(async () => {
      a = await createTestWorkspace(t.app);
      b = await createTestWorkspace(t.app);
      bIdentity = await createIdentity(b.id);
      aToken = await serviceToken(t.app, a.id, ['identities:read', 'identities:write'], { audience: 'control' });
    });

    it('lets an operator and the workspace itself in', async () => {
      await read(`${base(b.id)}/${bIdentity.id}`);
      const own = await createIdentity(a.id, {}, aToken);
      await read(`${base(a.id)}/${own.id}`, aToken);
      await read(base(a.id), aToken);
    });

    it("answers 404 to A's token on every route of B's identities, and B's identity is unchanged", async () => {
      const before = await dataSource.getRepository(ServiceIdentityEntity).findOneByOrFail({ id: bIdentity.id });
      const auditBefore = await dataSource.getRepository(OperatorAuditLogEntity).count();
      const attempts = [
        request(t.server).get(base(b.id)).set(bearer(aToken)),
        request(t.server).get(`${base(b.id)}/${bIdentity.id}`).set(bearer(aToken)),
        request(t.server).post(base(b.id)).set(bearer(aToken)).send({ name: svcName(), audience: 'orchestrator-exec', scopes: ['execute'], reason: 'r' }),
        request(t.server).post(`${base(b.id)}/${bIdentity.id}/revoke`).set(bearer(aToken)).send({ reason: 'r' }),
        request(t.server).post(`${base(b.id)}/${bIdentity.id}/rotate-secret`).set(bearer(aToken)).send({ reason: 'r' }),
        // B's identity id under A's own path: still not found.
        request(t.server).get(`${base(a.id)}/${bIdentity.id}`).set(bearer(aToken)),
        request(t.server).post(`${base(a.id)}/${bIdentity.id}/revoke`).set(bearer(aToken)).send({ reason: 'r' }),
        request(t.server).post(`${base(a.id)}/${bIdentity.id}/rotate-secret`).set(bearer(aToken)).send({ reason: 'r' }),
      ];
      for (const attempt of attempts) {
        const res = await attempt;
        readBodies.push(res.text);
        expect(res.status).toBe(404);
        expectError(res.body, 'NOT_FOUND');
      }
      const after = await dataSource.getRepository(ServiceIdentityEntity).findOneByOrFail({ id: bIdentity.id });
      expect(after).toEqual(before);
      expect(await dataSource.getRepository(OperatorAuditLogEntity).count()).toBe(auditBefore);
      expect(await dataSource.getRepository(ServiceIdentityEntity).countBy({ workspaceId: b.id })).toBe(1);
      expect((await mint(bIdentity.client_id, bIdentity.client_secret)).status).toBe(200);
    });

    it("an operator also gets 404 for B's identity under A's path", async () => {
      await read(`${base(a.id)}/${bIdentity.id}`, admin.token, 404);
      await read(`${base(a.id)}/not-a-uuid`, admin.token, 404);
    });
  });

  describe('rotate-secret', () => {
    it('issues a new secret shown once; the old one works during the grace period and not after', async () => {
      const created = await createIdentity(ws.id);
      const res = await request(t.server).post(`${base(ws.id)}/${created.id}/rotate-secret`).set(bearer(admin.token)).send({ grace_seconds: 1, reason: 'yearly rotation' }).expect(200);
      secrets.push(res.body.client_secret);
      expect(res.body).toMatchObject({ id: created.id, client_id: created.client_id, client_secret: expect.stringMatching(/^cs_/), previous_secret_expires_at: expect.any(String) });
      expect(res.body.client_secret).not.toBe(created.client_secret);

      expect((await mint(created.client_id, res.body.client_secret)).status).toBe(200);
      expect((await mint(created.client_id, created.client_secret)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await mint(created.client_id, created.client_secret);
      expect(expired.status).toBe(401);
      expectError(expired.body, 'UNAUTHENTICATED');
      expect((await mint(created.client_id, res.body.client_secret)).status).toBe(200);

      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: created.id, action: 'service_identity.rotate_secret' });
      expect(audit).toMatchObject({ reason: 'yearly rotation' });
      expect(audit.after).toMatchObject({ grace_seconds: 1 });
    });

    it('with grace_seconds 0 the old secret stops at once; the default grace is an hour', async () => {
      const created = await createIdentity(ws.id);
      const now = await request(t.server).post(`${base(ws.id)}/${created.id}/rotate-secret`).set(bearer(admin.token)).send({ grace_seconds: 0, reason: 'leaked' }).expect(200);
      secrets.push(now.body.client_secret);
      expect(now.body.previous_secret_expires_at).toBeNull();
      expect((await mint(created.client_id, created.client_secret)).status).toBe(401);

      const later = await request(t.server).post(`${base(ws.id)}/${created.id}/rotate-secret`).set(bearer(admin.token)).set('x-reason', 'routine').expect(200);
      secrets.push(later.body.client_secret);
      const expiresIn = Date.parse(later.body.previous_secret_expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(3_590_000);
      expect(expiresIn).toBeLessThanOrEqual(3_600_000);
    });

    it('validates grace_seconds and needs a reason', async () => {
      const created = await createIdentity(ws.id);
      for (const grace of [-1, 86_401, 1.5, '60']) {
        const res = await request(t.server).post(`${base(ws.id)}/${created.id}/rotate-secret`).set(bearer(admin.token)).send({ grace_seconds: grace, reason: 'r' }).expect(400);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/grace_seconds' })]));
      }
      expectError((await request(t.server).post(`${base(ws.id)}/${created.id}/rotate-secret`).set(bearer(admin.token)).send({}).expect(400)).body, 'REASON_REQUIRED');
      expect((await mint(created.client_id, created.client_secret)).status).toBe(200);
    });
  });

  describe('revoke', () => {
    it('refuses tokens from then on: the mint answers 401 and a token already held stops working', async () => {
      const created = await createIdentity(ws.id, { audience: 'orchestrator-control', scopes: ['workspace:read'] });
      const minted = await mint(created.client_id, created.client_secret);
      expect(minted.status).toBe(200);
      await request(t.server).get(`/v1/workspaces/${ws.id}`).set(bearer(minted.body.access_token)).expect(200);

      const res = await request(t.server).post(`${base(ws.id)}/${created.id}/revoke`).set(bearer(admin.token)).send({ reason: 'decommissioned' }).expect(200);
      readBodies.push(res.text);
      expect(res.body).toMatchObject({ id: created.id, revoked_at: expect.any(String) });

      const refused = await mint(created.client_id, created.client_secret);
      expect(refused.status).toBe(401);
      expectError(refused.body, 'UNAUTHENTICATED');
      const held = await request(t.server).get(`/v1/workspaces/${ws.id}`).set(bearer(minted.body.access_token)).expect(401);
      expectError(held.body, 'UNAUTHENTICATED');

      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ targetId: created.id, action: 'service_identity.revoke' });
      expect(audit).toMatchObject({ reason: 'decommissioned', actorId: admin.id });
      expect(audit.before).toMatchObject({ revoked_at: null });
      expect(audit.after).toMatchObject({ revoked_at: expect.any(String) });
    });

    it('answers 409 to a second revoke and to rotating a revoked identity', async () => {
      const created = await createIdentity(ws.id);
      await request(t.server).post(`${base(ws.id)}/${created.id}/revoke`).set(bearer(admin.token)).set('x-reason', 'done').expect(200);
      expectError((await request(t.server).post(`${base(ws.id)}/${created.id}/revoke`).set(bearer(admin.token)).set('x-reason', 'again').expect(409)).body, 'CONFLICT');
      expectError((await request(t.server).post(`${base(ws.id)}/${created.id}/rotate-secret`).set(bearer(admin.token)).set('x-reason', 'r').expect(409)).body, 'CONFLICT');
    });

    it('needs a reason (and refuses unknown body fields); nothing changes without one', async () => {
      const created = await createIdentity(ws.id);
      expectError((await request(t.server).post(`${base(ws.id)}/${created.id}/revoke`).set(bearer(admin.token)).expect(400)).body, 'REASON_REQUIRED');
      expectError((await request(t.server).post(`${base(ws.id)}/${created.id}/revoke`).set(bearer(admin.token)).send({ reason: 'r', force: true }).expect(400)).body, 'VALIDATION_FAILED');
      expect((await dataSource.getRepository(ServiceIdentityEntity).findOneByOrFail({ id: created.id })).revokedAt).toBeNull();
      expect((await mint(created.client_id, created.client_secret)).status).toBe(200);
    });
  });

  describe('list', () => {
    it('pages newest first with a cursor', async () => {
      const fresh = await createTestWorkspace(t.app);
      const made = [];
      for (let i = 0; i < 5; i += 1) made.push(await createIdentity(fresh.id));
      const seen: Array<{ id: string; created_at: string }> = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await read(`${base(fresh.id)}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data);
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen.map((i) => i.id).sort()).toEqual(made.map((i) => i.id).sort());
      const times = seen.map((i) => Date.parse(i.created_at));
      expect(times).toEqual([...times].sort((x, y) => y - x));
    });
  });

  it('never wrote a client secret or its hash into the audit log or a read response', async () => {
    expect(secrets.length).toBeGreaterThan(5);
    const rows: Array<{ row: string }> = await dataSource.query('SELECT row_to_json(a)::text AS row FROM operator_audit_log a');
    const auditText = rows.map((r) => r.row).join('\n');
    expect(auditText).toContain('service_identity.create');
    const storedHashes: Array<{ h: string }> = await dataSource.query('SELECT client_secret_hash AS h FROM service_identities UNION SELECT previous_client_secret_hash FROM service_identities WHERE previous_client_secret_hash IS NOT NULL');
    const reads = readBodies.join('\n');
    for (const secret of secrets) {
      expect(auditText).not.toContain(secret);
      expect(reads).not.toContain(secret);
      expect(auditText).not.toContain(hashSecret(secret));
    }
    for (const { h } of storedHashes) {
      expect(auditText).not.toContain(h);
      expect(reads).not.toContain(h);
    }
  });
});
