import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OperatorAuditLogEntity } from '@orch/data';
import { createTestOperator, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

interface AuditRow {
  id: string;
  workspace_id: string | null;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  reason: string | null;
  created_at: string;
  hash: string;
  prev_hash: string;
}

describe('Audit log (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let auditor: TestOperator;
  let dataSource: DataSource;
  let wsA: string;
  let wsB: string;
  let identityA: string;

  const createWorkspace = async (reason: string) =>
    (await request(t.server).post('/v1/workspaces').set(bearer(admin.token)).send({ name: `audit-${process.pid}-${counter++}-dev`, reason }).expect(201)).body.id as string;

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
    wsA = await createWorkspace('create a');
    wsB = await createWorkspace('create b');
    await request(t.server).patch(`/v1/workspaces/${wsA}`).set(bearer(admin.token)).send({ settings: { retention_days: 10 }, reason: 'shorter retention' }).expect(200);
    identityA = (
      await request(t.server)
        .post(`/v1/workspaces/${wsA}/service-identities`)
        .set(bearer(admin.token))
        .send({ name: 'svc:audit-backend', audience: 'orchestrator-exec', scopes: ['execute'], reason: 'identity for a' })
        .expect(201)
    ).body.id;
    await request(t.server).post(`/v1/workspaces/${wsA}/service-identities/${identityA}/revoke`).set(bearer(admin.token)).send({ reason: 'revoke it' }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (query: Record<string, string | number>, token = auditor.token) => request(t.server).get('/v1/audit').query(query).set(bearer(token));

  describe('GET /v1/audit', () => {
    it('lists rows newest first with every documented field', async () => {
      const res = await list({}).expect(200);
      const ids = res.body.data.map((r: AuditRow) => BigInt(r.id));
      expect(ids).toEqual([...ids].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
      expect(res.body.next_cursor).toBeNull();
      const revoke = res.body.data.find((r: AuditRow) => r.action === 'service_identity.revoke');
      expect(revoke).toEqual({
        id: expect.stringMatching(/^\d+$/),
        workspace_id: wsA,
        actor_type: 'operator',
        actor_id: admin.id,
        impersonator_id: null,
        action: 'service_identity.revoke',
        target_type: 'service_identity',
        target_id: identityA,
        reason: 'revoke it',
        before: expect.objectContaining({ revoked_at: null }),
        after: expect.objectContaining({ revoked_at: expect.any(String) }),
        request_id: expect.any(String),
        ip: expect.any(String),
        created_at: expect.any(String),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        prev_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      // Each row links to the one before it.
      for (let i = 0; i < res.body.data.length - 1; i += 1) expect(res.body.data[i].prev_hash).toBe(res.body.data[i + 1].hash);
    });

    it('filters by workspace, action, actor, target and combinations', async () => {
      const byWorkspace = (await list({ workspace_id: wsA }).expect(200)).body.data as AuditRow[];
      expect(byWorkspace.map((r) => r.action)).toEqual(['service_identity.revoke', 'service_identity.create', 'workspace.update', 'workspace.create']);
      expect(byWorkspace.every((r) => r.workspace_id === wsA)).toBe(true);

      const creates = (await list({ action: 'workspace.create' }).expect(200)).body.data as AuditRow[];
      expect(creates.map((r) => r.workspace_id)).toEqual([wsB, wsA]);

      const byActor = (await list({ actor_id: admin.id, actor_type: 'operator' }).expect(200)).body.data as AuditRow[];
      expect(byActor).toHaveLength(5);
      expect((await list({ actor_id: auditor.id }).expect(200)).body.data).toEqual([]);

      const byTarget = (await list({ target_type: 'service_identity', target_id: identityA }).expect(200)).body.data as AuditRow[];
      expect(byTarget.map((r) => r.action)).toEqual(['service_identity.revoke', 'service_identity.create']);

      const combined = (await list({ workspace_id: wsB, action: 'workspace.update' }).expect(200)).body.data;
      expect(combined).toEqual([]);
    });

    it('filters by time range: from inclusive, to exclusive', async () => {
      const all = (await list({ workspace_id: wsA }).expect(200)).body.data as AuditRow[];
      const oldest = all[all.length - 1];
      const newest = all[0];
      expect((await list({ workspace_id: wsA, from: newest.created_at }).expect(200)).body.data.map((r: AuditRow) => r.id)).toContain(newest.id);
      expect((await list({ workspace_id: wsA, to: oldest.created_at }).expect(200)).body.data).toEqual([]);
      expect((await list({ workspace_id: wsA, from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }).expect(200)).body.data).toHaveLength(all.length);
      expect((await list({ workspace_id: wsA, from: '2100-01-01T00:00:00Z' }).expect(200)).body.data).toEqual([]);
    });

    it('pages with limit and an id cursor, newest first, without gaps or repeats', async () => {
      const all = (await list({ limit: 200 }).expect(200)).body.data as AuditRow[];
      expect(all.length).toBe(5);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await list({ limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((r: AuditRow) => r.id));
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor);
      expect(seen).toEqual(all.map((r) => r.id));
      expect(pages).toBe(Math.ceil(all.length / 2));
      // The cursor composes with the filters.
      const first = await list({ workspace_id: wsA, limit: 3 }).expect(200);
      const second = await list({ workspace_id: wsA, limit: 3, cursor: first.body.next_cursor }).expect(200);
      expect(second.body.data.map((r: AuditRow) => r.action)).toEqual(['workspace.create']);
      expect(second.body.next_cursor).toBeNull();
    });

    it('validates the query with paths', async () => {
      const cases: Array<[Record<string, string | number>, string]> = [
        [{ limit: 0 }, '/limit'],
        [{ limit: 201 }, '/limit'],
        [{ from: 'yesterday' }, '/from'],
        [{ to: '2026-13-45' }, '/to'],
        [{ workspace_id: 'abc' }, '/workspace_id'],
        [{ actor_type: 'robot' }, '/actor_type'],
        [{ cursor: 'not-a-cursor' }, '/cursor'],
        [{ cursor: Buffer.from(JSON.stringify(['1; DROP TABLE x'])).toString('base64url') }, '/cursor'],
        [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, '/to'],
        [{ sort: 'asc' }, '/sort'],
      ];
      for (const [query, path] of cases) {
        const res = await list(query).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
    });

    it('is for admins and auditors: Support and BillingAdmin 403, service tokens 403, no token 401', async () => {
      await list({}, admin.token).expect(200);
      for (const roles of [['Support'], ['BillingAdmin']] as const) {
        const op = await createTestOperator(t.app, [...roles]);
        expectError((await list({}, op.token).expect(403)).body, 'FORBIDDEN');
      }
      const token = await serviceToken(t.app, wsA, ['audit:read'], { audience: 'control' });
      expectError((await list({}, token).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).get('/v1/audit').expect(401)).body, 'UNAUTHENTICATED');
      expectError((await request(t.server).get('/v1/audit/verify').expect(401)).body, 'UNAUTHENTICATED');
    });
  });

  describe('GET /v1/audit/verify', () => {
    it('reports an untouched chain as ok, having checked every row', async () => {
      const count = await dataSource.getRepository(OperatorAuditLogEntity).count();
      expect(count).toBeGreaterThan(6);
      const res = await request(t.server).get('/v1/audit/verify').set(bearer(auditor.token)).expect(200);
      expect(res.body).toEqual({ ok: true, checked: count, first_broken_id: null });
    });

    it('finds a row altered directly in SQL by a superuser bypassing the immutability trigger', async () => {
      const rows = (await list({ workspace_id: wsA, action: 'workspace.update' }).expect(200)).body.data as AuditRow[];
      const target = rows[0];
      const client = new Client({ connectionString: t.db?.url });
      await client.connect();
      try {
        // The trigger refuses a plain UPDATE…
        await expect(client.query('UPDATE operator_audit_log SET reason = $1 WHERE id = $2', ['x', target.id])).rejects.toThrow();
        // …so the attacker turns triggers off for the session.
        await client.query('SET session_replication_role = replica');
        const updated = await client.query('UPDATE operator_audit_log SET reason = $1 WHERE id = $2', ['nothing to see here', target.id]);
        expect(updated.rowCount).toBe(1);
        await client.query('SET session_replication_role = origin');
      } finally {
        await client.end();
      }
      const earlier = await dataSource.getRepository(OperatorAuditLogEntity).createQueryBuilder('a').where('a.id < :id', { id: target.id }).getCount();
      const res = await request(t.server).get('/v1/audit/verify').set(bearer(admin.token)).expect(200);
      expect(res.body).toEqual({ ok: false, checked: earlier, first_broken_id: target.id });
    });
  });
});
