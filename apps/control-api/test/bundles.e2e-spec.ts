import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  ConfigEntity,
  ConfigPointerEntity,
  ConnectorEntity,
  OperatorAuditLogEntity,
  PolicyEntity,
  SecretRefEntity,
  WebhookRouteEntity,
  WorkspaceEntity,
} from '@orch/data';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let counter = 0;
const tenant = () => `bundle-${process.pid}-${counter++}-dev`;

/** The seed's example (§1.5), as is, under a fresh tenant name. */
const seedBundle = (name: string) => ({
  tenant: { name },
  policies: [{ name: 'default', timeout_json: { total_ms: 5000 } }],
  secret_refs: [{ name: 'stripe_signing', ref: 'env://STRIPE_SIGNING_SECRET' }],
  connectors: [{ type: 'http', name: 'stripe', policy: 'default', secret_ref: 'stripe_signing' }],
  configs: [{ name: 'default', version: 'v1', data: { foo: 'bar' }, activate: true }],
});

const pathsOf = (body: { error: { details?: Array<{ path: string }> } }) => [...new Set((body.error.details ?? []).map((d) => d.path))].sort();

describe('Bundles (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let auditor: TestOperator;
  let dataSource: DataSource;

  const importBundle = (body: Record<string, unknown>, token = admin.token) => request(t.server).post('/v1/bundles/import').set(bearer(token)).send(body);
  const exportBundle = (workspaceId: string, token = admin.token) => request(t.server).get(`/v1/workspaces/${workspaceId}/bundle`).set(bearer(token));
  const auditCount = () => dataSource.getRepository(OperatorAuditLogEntity).count();
  const workspaceNamed = (name: string) => dataSource.getRepository(WorkspaceEntity).findOneBy({ name });
  /** Rows of every table a bundle writes, for "nothing written". */
  const rowCounts = async () => {
    const counts: Record<string, number> = {};
    for (const entity of [WorkspaceEntity, PolicyEntity, SecretRefEntity, ConnectorEntity, ConfigEntity, ConfigPointerEntity, WebhookRouteEntity, OperatorAuditLogEntity]) {
      counts[entity.name] = await dataSource.getRepository(entity).count();
    }
    return counts;
  };

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the seed example', () => {
    it('plans (dry run, no reason), applies, re-applies as unchanged and exports what it imported, never a secret value', async () => {
      const name = tenant();
      const bundle = seedBundle(name);
      const before = await rowCounts();

      const dry = await importBundle({ bundle, dry_run: true }).expect(200);
      expect(dry.body.applied).toBe(false);
      expect(dry.body.plan.workspace).toEqual({ name, action: 'create' });
      expect(dry.body.plan.create.map((i: { kind: string; name: string }) => `${i.kind}:${i.name}`)).toEqual([
        'secret_ref:stripe_signing',
        'connector:stripe',
        'config:default@v1',
        'config_activation:default',
      ]);
      expect(dry.body.plan.update).toEqual([
        {
          kind: 'policy',
          name: 'default',
          diff: [
            { path: '/timeout/connect_ms', before: 2000, after: 2000 },
            { path: '/timeout/read_ms', before: 10000, after: 5000 },
            { path: '/timeout/total_ms', before: 15000, after: 5000 },
          ].filter((c) => c.before !== c.after),
        },
      ]);
      expect(await rowCounts()).toEqual(before);

      const applied = await importBundle({ bundle, reason: 'onboard buildos' }).expect(200);
      expect(applied.body.applied).toBe(true);
      const ws = await workspaceNamed(name);
      expect(ws).not.toBeNull();
      const wsId = ws?.id ?? '';
      expect(applied.body.plan.workspace).toEqual({ name, id: wsId, action: 'create' });
      const connector = await dataSource.getRepository(ConnectorEntity).findOneByOrFail({ workspaceId: wsId, name: 'stripe' });
      expect(connector).toMatchObject({ type: 'http', config: { operations: [] }, secretRefs: { secret_ref: 'stripe_signing' } });
      const policy = await dataSource.getRepository(PolicyEntity).findOneByOrFail({ workspaceId: wsId, name: 'default' });
      expect(policy.timeout).toEqual({ connect_ms: 2000, read_ms: 5000, total_ms: 5000 });
      const active = await request(t.server).get(`/v1/workspaces/${wsId}/configs/default/active`).set(bearer(admin.token)).expect(200);
      expect(active.body).toMatchObject({ version: 'v1', data: { foo: 'bar' } });
      const audits = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { workspaceId: wsId }, order: { id: 'ASC' } });
      expect(audits.map((a) => a.action)).toEqual(['workspace.create', 'policy.update', 'secret_ref.create', 'connector.create', 'config.create', 'config.activate', 'bundle.import']);
      expect(audits.every((a) => a.reason === 'onboard buildos')).toBe(true);

      // A vault secret with a canary value: the export names refs, never values.
      const canary = `canary-${Date.now()}-value`;
      await request(t.server).put(`/v1/workspaces/${wsId}/secrets/api-token`).set(bearer(admin.token)).send({ value: canary, reason: 'r' }).expect((res) => expect([200, 201, 204]).toContain(res.status));
      await request(t.server).post(`/v1/workspaces/${wsId}/secret-refs`).set(bearer(admin.token)).send({ name: 'api-token', ref: 'vault://api-token', reason: 'r' }).expect(201);

      const auditsBefore = await auditCount();
      const countsBefore = await rowCounts();
      const again = await importBundle({ bundle, reason: 'again' }).expect(200);
      expect(again.body.plan.create).toEqual([]);
      expect(again.body.plan.update).toEqual([]);
      expect(again.body.plan.workspace).toEqual({ name, id: wsId, action: 'unchanged' });
      expect(again.body.plan.unchanged.map((i: { kind: string; name: string }) => `${i.kind}:${i.name}`)).toEqual([
        'policy:default',
        'secret_ref:stripe_signing',
        'connector:stripe',
        'config:default@v1',
        'config_activation:default',
      ]);
      expect(await auditCount()).toBe(auditsBefore);
      expect(await rowCounts()).toEqual(countsBefore);

      const exported = await exportBundle(wsId).expect(200);
      expect(JSON.stringify(exported.body)).not.toContain(canary);
      expect(exported.body).toEqual({
        tenant: { name },
        policies: [{ name: 'default', ...exported.body.policies[0], timeout: { connect_ms: 2000, read_ms: 5000, total_ms: 5000 } }],
        secret_refs: [
          { name: 'api-token', ref: 'vault://api-token' },
          { name: 'stripe_signing', ref: 'env://STRIPE_SIGNING_SECRET' },
        ],
        connectors: [{ name: 'stripe', type: 'http', policy: 'default', config: { operations: [] }, secret_ref: 'stripe_signing' }],
        configs: [{ name: 'default', version: 'v1', data: { foo: 'bar' }, activate: true }],
        webhook_routes: [],
        service_identities: [],
      });
      // The export imports back as all unchanged.
      const roundTrip = await importBundle({ bundle: exported.body, dry_run: true }).expect(200);
      expect(roundTrip.body.plan.create).toEqual([]);
      expect(roundTrip.body.plan.update).toEqual([]);
    });
  });

  describe('import', () => {
    it('shows a changed policy field as an update with its diff, and applies it', async () => {
      const name = tenant();
      await importBundle({ bundle: seedBundle(name), reason: 'r' }).expect(200);
      const changed = { ...seedBundle(name), policies: [{ name: 'default', timeout_json: { total_ms: 5000 }, retry: { max_attempts: 5 } }] };
      const dry = await importBundle({ bundle: changed, dry_run: true }).expect(200);
      expect(dry.body.plan.update).toEqual([{ kind: 'policy', name: 'default', diff: [{ path: '/retry/max_attempts', before: 3, after: 5 }] }]);
      expect(dry.body.plan.create).toEqual([]);
      await importBundle({ bundle: changed, reason: 'more retries' }).expect(200);
      const ws = await workspaceNamed(name);
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ workspaceId: ws?.id, action: 'policy.update', reason: 'more retries' });
      expect(audit.after).toMatchObject({ retry: { max_attempts: 5 } });
    });

    it('creates webhook routes keyed by provider and account, and a new config version moves the active pointer', async () => {
      const name = tenant();
      const account = `acct_${process.pid}_${counter}`;
      const bundle = {
        ...seedBundle(name),
        configs: [
          { name: 'default', version: 'v1', data: { foo: 'bar' } },
          { name: 'default', version: 'v2', data: { foo: 'baz' }, activate: true },
        ],
        webhook_routes: [{ provider: 'stripe', signing_secret_ref: 'stripe_signing', provider_account_id: account, target: { kind: 'store' } }],
      };
      await importBundle({ bundle, reason: 'r' }).expect(200);
      const ws = await workspaceNamed(name);
      const exported = (await exportBundle(ws?.id ?? '').expect(200)).body;
      expect(exported.webhook_routes).toEqual([{ provider: 'stripe', signing_secret_ref: 'stripe_signing', provider_account_id: account, target: { kind: 'store' }, enabled: true }]);
      expect(exported.configs).toEqual([
        { name: 'default', version: 'v1', data: { foo: 'bar' }, activate: false },
        { name: 'default', version: 'v2', data: { foo: 'baz' }, activate: true },
      ]);
      const disabled = { ...bundle, webhook_routes: [{ ...bundle.webhook_routes[0], enabled: false }], configs: [{ ...bundle.configs[0], activate: true }, { ...bundle.configs[1], activate: false }] };
      const plan = (await importBundle({ bundle: disabled, dry_run: true }).expect(200)).body.plan;
      expect(plan.update).toEqual([
        { kind: 'config_activation', name: 'default', diff: [{ path: '/active_version', before: 'v2', after: 'v1' }] },
        { kind: 'webhook_route', name: `stripe:${account}`, diff: [{ path: '/enabled', before: true, after: false }] },
      ]);
    });

    it('answers bundle errors with 400 at their JSON Pointer and writes nothing', async () => {
      const name = tenant();
      const before = await rowCounts();
      const unknownType = { ...seedBundle(name), connectors: [{ type: 'ftp', name: 'x' }] };
      const res = await importBundle({ bundle: unknownType, reason: 'r' }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(pathsOf(res.body)).toEqual(['/bundle/connectors/0/type']);

      const many = {
        tenant: { name },
        policies: [{ name: 'default', timeout: { connect_ms: 9000, total_ms: 5000 } }],
        secret_refs: [{ name: 'orch', ref: 'env://ORCH_MASTER_KEY' }],
        connectors: [
          { type: 'http', name: 'api', config: { base_url: 'not-a-url' } },
          { type: 'http', name: 'other', policy: 'missing', secret_ref: 'nope' },
        ],
        configs: [{ name: 'c', version: 'v1', data: {}, activate: true }, { name: 'c', version: 'v2', data: {}, activate: true }],
        webhook_routes: [{ provider: 'hmac-sha256', signing_secret_ref: 'orch', target: { kind: 'forward' } }],
      };
      const all = await importBundle({ bundle: many, reason: 'r' }).expect(400);
      expect(pathsOf(all.body)).toEqual(
        [
          '/bundle/policies/0/timeout/connect_ms',
          '/bundle/secret_refs/0/ref',
          '/bundle/connectors/0/config/base_url',
          '/bundle/configs/1/activate',
          '/bundle/webhook_routes/0/verification',
          '/bundle/webhook_routes/0/target/url',
        ].sort(),
      );
      // References are checked once the bundle itself is sound.
      const refs = { ...seedBundle(name), connectors: [{ type: 'http', name: 'other', policy: 'missing', secret_ref: 'nope' }] };
      expect(pathsOf((await importBundle({ bundle: refs, dry_run: true }).expect(400)).body)).toEqual(['/bundle/connectors/0/policy', '/bundle/connectors/0/secret_ref']);
      expect(pathsOf((await importBundle({ bundle: { ...seedBundle('nodev'), extra: 1 }, dry_run: true }).expect(400)).body)).toEqual(['/bundle/extra']);
      expect(pathsOf((await importBundle({ bundle: seedBundle('wrong-env-prod'), dry_run: true }).expect(400)).body)).toEqual(['/bundle/tenant/name']);
      expect(await rowCounts()).toEqual(before);
      expect(await workspaceNamed(name)).toBeNull();
    });

    it('refuses different data under an existing config version (versions are immutable)', async () => {
      const name = tenant();
      await importBundle({ bundle: seedBundle(name), reason: 'r' }).expect(200);
      const before = await rowCounts();
      const changed = { ...seedBundle(name), configs: [{ name: 'default', version: 'v1', data: { foo: 'other' }, activate: true }] };
      const res = await importBundle({ bundle: changed, reason: 'r' }).expect(400);
      expect(pathsOf(res.body)).toEqual(['/bundle/configs/0/data']);
      expect(await rowCounts()).toEqual(before);
    });

    it('leaves nothing behind when a write fails in the middle of the apply', async () => {
      const name = tenant();
      // A constraint only the database knows: the last item's insert fails after the others were written.
      await dataSource.query(`ALTER TABLE configs ADD CONSTRAINT ck_test_bundle_boom CHECK (name <> 'boom') NOT VALID`);
      try {
        const before = await rowCounts();
        const bundle = { ...seedBundle(name), configs: [...seedBundle(name).configs, { name: 'boom', version: 'v1', data: {} }] };
        const res = await importBundle({ bundle, reason: 'r' });
        expect(res.status).toBe(500);
        expect(await rowCounts()).toEqual(before);
        expect(await workspaceNamed(name)).toBeNull();
      } finally {
        await dataSource.query('ALTER TABLE configs DROP CONSTRAINT ck_test_bundle_boom');
      }
    });

    it('needs a reason to apply but not for a dry run', async () => {
      const bundle = seedBundle(tenant());
      const res = await importBundle({ bundle }).expect(400);
      expect(res.body.error.code).toBe('REASON_REQUIRED');
      await importBundle({ bundle, dry_run: true }).expect(200);
      expect(await workspaceNamed(bundle.tenant.name)).toBeNull();
    });

    it('answers 401 without a token and 403 to a ReadOnlyAuditor', async () => {
      const bundle = seedBundle(tenant());
      await request(t.server).post('/v1/bundles/import').send({ bundle, dry_run: true }).expect(401);
      await importBundle({ bundle, dry_run: true }, auditor.token).expect(403);
    });
  });

  describe('export', () => {
    it('answers 401 without a token, lets a ReadOnlyAuditor read, and 404 to a token confined to another workspace', async () => {
      const ws = await createTestWorkspace(t.app);
      const other = await createTestWorkspace(t.app);
      await request(t.server).get(`/v1/workspaces/${ws.id}/bundle`).expect(401);
      const body = (await exportBundle(ws.id, auditor.token).expect(200)).body;
      expect(body.tenant).toEqual({ name: ws.name });
      expect(body).toMatchObject({ secret_refs: [], connectors: [], configs: [], webhook_routes: [] });
      const confined = await serviceToken(t.app, other.id, ['workspace:read'], { audience: 'control' });
      await exportBundle(ws.id, confined).expect(404);
      await exportBundle(other.id, confined).expect(200);
    });
  });
});
