import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConnectorEntity, OperatorAuditLogEntity, SecretRefEntity, SecretValueEntity, type WorkspaceEntity } from '@orch/data';
import { ConfigError, loadConfig } from '@orch/platform';
import { MasterKeyring, preflightMasterKeys, rewrapAll, SecretResolutionError, SecretResolver, SecretVault } from '@orch/secrets';
import { createTestOperator, createTestWorkspace, startTestApp, TEST_MASTER_KEY, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const newKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
let counter = 0;
const uniqueName = (prefix = 'sec') => `${prefix}-${counter++}-${randomBytes(3).toString('hex')}`;

describe('Secrets (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let auditor: TestOperator;
  let dataSource: DataSource;
  let ws: WorkspaceEntity;
  let otherWs: WorkspaceEntity;

  const refs = (workspaceId: string) => `/v1/workspaces/${workspaceId}/secret-refs`;
  const secrets = (workspaceId: string) => `/v1/workspaces/${workspaceId}/secrets`;

  const put = (workspaceId: string, name: string, value: string, token = admin.token) =>
    request(t.server).put(`${secrets(workspaceId)}/${name}`).set(bearer(token)).send({ value, reason: 'rotate the key' });
  const createRef = (workspaceId: string, body: Record<string, unknown>, token = admin.token) =>
    request(t.server).post(refs(workspaceId)).set(bearer(token)).send({ reason: 'wire a connector', ...body });
  const check = (workspaceId: string, name: string, token = admin.token) => request(t.server).post(`${refs(workspaceId)}/${name}/check`).set(bearer(token)).send();
  const auditCount = async () => Number((await dataSource.query('SELECT count(*)::int AS n FROM operator_audit_log'))[0].n);

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
    ws = await createTestWorkspace(t.app);
    otherWs = await createTestWorkspace(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('vault round trip', () => {
    it('stores versions, checks and resolves the latest or a given one, never returning the value', async () => {
      const name = uniqueName();
      const v1 = `first-${randomBytes(8).toString('hex')}`;
      const v2 = `second-${randomBytes(8).toString('hex')}`;
      const first = await put(ws.id, name, v1).expect(201);
      expect(first.body).toEqual({ name, version: 1, created_at: expect.any(String) });
      await createRef(ws.id, { name, ref: `vault://${name}` }).expect(201);
      expect((await check(ws.id, name).expect(200)).body).toEqual({ ok: true, version: 1 });

      const second = await put(ws.id, name, v2).expect(201);
      expect(second.body).toMatchObject({ name, version: 2 });
      expect((await check(ws.id, name).expect(200)).body).toEqual({ ok: true, version: 2 });

      const resolver = t.app.get(SecretResolver);
      expect(await resolver.resolve(ws.id, name)).toBe(v2);
      expect(await t.app.get(SecretVault).reveal(ws.id, name, 1)).toEqual({ version: 1, value: v1 });
      await createRef(ws.id, { name: `${name}-pinned`, ref: `vault://${name}` }).expect(201);
      expect(await resolver.resolveRef(ws.id, 'pinned', `vault://${name}#1`)).toEqual({ value: v1, version: 1 });

      for (const res of [first, second]) expect(res.text).not.toContain(v1);
      const rows = await dataSource.getRepository(SecretValueEntity).findBy({ workspaceId: ws.id, secretName: name });
      expect(rows.map((r) => r.masterKeyId)).toEqual(['test-1', 'test-1']);
      for (const row of rows) expect(row.ciphertext.toString('utf8')).not.toContain('first-');
    });

    it('answers ok:false with a reason for a vault ref without versions and for a missing version', async () => {
      const name = uniqueName();
      await createRef(ws.id, { name, ref: `vault://${name}` }).expect(201);
      expect((await check(ws.id, name).expect(200)).body).toEqual({ ok: false, reason: 'no_version', message: expect.stringContaining(name) });
      await expect(t.app.get(SecretResolver).resolveRef(ws.id, name, `vault://${name}#4`)).rejects.toMatchObject({ reason: 'no_version' });
    });

    it('cannot decrypt a ciphertext copied to another row (AAD binds workspace, name and version)', async () => {
      const source = uniqueName();
      const target = uniqueName();
      await put(ws.id, source, 'moved-value').expect(201);
      await put(ws.id, target, 'original-value').expect(201);
      await dataSource.query(
        `UPDATE secret_values t SET ciphertext = s.ciphertext, iv = s.iv, auth_tag = s.auth_tag, wrapped_data_key = s.wrapped_data_key
           FROM secret_values s WHERE s.workspace_id = $1 AND s.secret_name = $2 AND t.workspace_id = $1 AND t.secret_name = $3`,
        [ws.id, source, target],
      );
      await createRef(ws.id, { name: target, ref: `vault://${target}` }).expect(201);
      const res = await check(ws.id, target).expect(200);
      expect(res.body).toMatchObject({ ok: false, reason: 'cannot_decrypt' });
      expect(res.text).not.toContain('moved-value');
      // The same bytes under another workspace (same name and version) fail too.
      await put(otherWs.id, source, 'other-workspace-value').expect(201);
      await dataSource.query(
        `UPDATE secret_values t SET ciphertext = s.ciphertext, iv = s.iv, auth_tag = s.auth_tag, wrapped_data_key = s.wrapped_data_key
           FROM secret_values s WHERE s.workspace_id = $1 AND s.secret_name = $2 AND t.workspace_id = $3 AND t.secret_name = $2`,
        [ws.id, source, otherWs.id],
      );
      await expect(t.app.get(SecretVault).reveal(otherWs.id, source)).rejects.toMatchObject({ reason: 'cannot_decrypt' });
      await dataSource.query('DELETE FROM secret_values WHERE workspace_id = $1 AND secret_name = $2', [otherWs.id, source]);
      // The tampered row would (rightly) stop a whole-table rewrap later in this file.
      await dataSource.query('DELETE FROM secret_values WHERE workspace_id = $1 AND secret_name = $2', [ws.id, target]);
    });

    it('refuses a value over 64 KiB and a bad secret name with 400 and a path', async () => {
      const big = await put(ws.id, uniqueName(), 'x'.repeat(64 * 1024 + 1)).expect(400);
      expect(big.body.error.details).toEqual([{ path: '/value', message: expect.any(String) }]);
      await put(ws.id, uniqueName(), 'x'.repeat(64 * 1024)).expect(201);
      const badName = await put(ws.id, '-bad', 'v').expect(400);
      expect(badName.body.error.details).toEqual([{ path: '/name', message: expect.any(String) }]);
    });
  });

  describe('env refs', () => {
    it('resolves a set variable and reports a missing or reserved one by name, never by value', async () => {
      const variable = `ORCH_TEST_ENV_${randomBytes(4).toString('hex').toUpperCase()}`.replace(/^ORCH_/, 'APP_');
      process.env[variable] = 'env-secret-value';
      try {
        const name = uniqueName('env');
        await createRef(ws.id, { name, ref: `env://${variable}` }).expect(201);
        expect((await check(ws.id, name).expect(200)).body).toEqual({ ok: true });
        expect(await t.app.get(SecretResolver).resolve(ws.id, name)).toBe('env-secret-value');
        delete process.env[variable];
        const missing = await check(ws.id, name).expect(200);
        expect(missing.body).toEqual({ ok: false, reason: 'env_missing', message: expect.stringContaining(variable) });
      } finally {
        delete process.env[variable];
      }
      const reserved = await createRef(ws.id, { name: uniqueName(), ref: 'env://ORCH_MASTER_KEY' }).expect(400);
      expect(reserved.body.error.details).toEqual([{ path: '/ref', message: expect.stringContaining('reserved') }]);
      await expect(t.app.get(SecretResolver).resolveRef(ws.id, 'x', 'env://ORCH_MASTER_KEY')).rejects.toBeInstanceOf(SecretResolutionError);
    });
  });

  describe('secret ref CRUD', () => {
    it('creates, lists, gets and deletes a ref with reason and audit (pointer only)', async () => {
      const name = uniqueName();
      const created = await createRef(ws.id, { name, ref: 'env://STRIPE_KEY', reason: 'stripe goes live' }).expect(201);
      expect(created.body).toEqual({ id: expect.any(String), workspace_id: ws.id, name, ref: 'env://STRIPE_KEY', created_at: expect.any(String), updated_at: expect.any(String) });
      const list = await request(t.server).get(refs(ws.id)).set(bearer(auditor.token)).expect(200);
      expect(list.body.data.map((r: { name: string }) => r.name)).toContain(name);
      await request(t.server).get(`${refs(ws.id)}/${name}`).set(bearer(auditor.token)).expect(200);
      await request(t.server).delete(`${refs(ws.id)}/${name}`).set(bearer(admin.token)).set('x-reason', 'unused').expect(204);
      await request(t.server).get(`${refs(ws.id)}/${name}`).set(bearer(admin.token)).expect(404);
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).find({ where: { targetId: created.body.id }, order: { id: 'ASC' } });
      expect(audit.map((a) => [a.action, a.reason])).toEqual([
        ['secret_ref.create', 'stripe goes live'],
        ['secret_ref.delete', 'unused'],
      ]);
      expect(audit[0]?.after).toEqual({ name, ref: 'env://STRIPE_KEY' });
    });

    it('audits a put with name and version only', async () => {
      const name = uniqueName();
      const value = `audited-${randomBytes(8).toString('hex')}`;
      await put(ws.id, name, value).expect(201);
      const audit = await dataSource.getRepository(OperatorAuditLogEntity).findOneByOrFail({ action: 'secret.put', targetId: name });
      expect(audit).toMatchObject({ workspaceId: ws.id, targetType: 'secret', reason: 'rotate the key', after: { name, version: 1 } });
      expect(JSON.stringify(audit)).not.toContain(value);
    });

    it('401 without a token, 403 for a ReadOnlyAuditor write, 404 for another workspace or an unknown ref', async () => {
      await request(t.server).get(refs(ws.id)).expect(401);
      await request(t.server).put(`${secrets(ws.id)}/x`).send({ value: 'v', reason: 'r' }).expect(401);
      await put(ws.id, uniqueName(), 'v', auditor.token).expect(403);
      await createRef(ws.id, { name: uniqueName(), ref: 'env://X' }, auditor.token).expect(403);
      const name = uniqueName();
      await createRef(ws.id, { name, ref: 'env://X' }).expect(201);
      await request(t.server).get(`${refs(otherWs.id)}/${name}`).set(bearer(admin.token)).expect(404);
      await check(otherWs.id, name).expect(404);
      await request(t.server).delete(`${refs(otherWs.id)}/${name}`).set(bearer(admin.token)).set('x-reason', 'r').expect(404);
      await request(t.server).get(`/v1/workspaces/7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11/secret-refs`).set(bearer(admin.token)).expect(404);
      await put('7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11', 'x', 'v').expect(404);
    });

    it('refuses an invalid ref with 400 at /ref, and a duplicate name with 409', async () => {
      for (const ref of ['vault://', 'env://lower', 'http://x', 'env://A B', 'vault://name#2']) {
        const res = await createRef(ws.id, { name: uniqueName(), ref }).expect(400);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/ref' })]));
      }
      const name = uniqueName();
      await createRef(ws.id, { name, ref: 'env://A' }).expect(201);
      const dup = await createRef(ws.id, { name, ref: 'env://B' }).expect(409);
      expect(dup.body.error.code).toBe('CONFLICT');
    });

    it('refuses to delete a ref a connector or webhook route still uses (409), and deletes it once free', async () => {
      const byConfig = uniqueName();
      const bySecretRefs = uniqueName();
      const byRoute = uniqueName();
      for (const name of [byConfig, bySecretRefs, byRoute]) await createRef(ws.id, { name, ref: `vault://${name}` }).expect(201);
      const connectors = dataSource.getRepository(ConnectorEntity);
      const connector = await connectors.save(connectors.create({ workspaceId: ws.id, name: uniqueName('conn'), type: 'http', config: { base_url: 'http://x', auth: { kind: 'bearer', token_ref: byConfig } } }));
      await connectors.save(connectors.create({ workspaceId: ws.id, name: uniqueName('conn'), type: 'stripe', config: {}, secretRefs: { api_key: bySecretRefs } }));
      await dataSource.query(`INSERT INTO webhook_routes (workspace_id, provider, route_key, signing_secret_ref, verification, target) VALUES ($1, 'stripe', $2, $3, '{}', '{}')`, [ws.id, uniqueName('rk'), byRoute]);

      for (const name of [byConfig, bySecretRefs, byRoute]) {
        const before = await auditCount();
        const res = await request(t.server).delete(`${refs(ws.id)}/${name}`).set(bearer(admin.token)).set('x-reason', 'cleanup').expect(409);
        expect(res.body.error.message).toContain('in use');
        expect(await auditCount()).toBe(before);
      }
      // A connector of another workspace naming the same ref does not block.
      await connectors.update({ id: connector.id }, { config: { auth: { token_ref: 'something-else' } } });
      await request(t.server).delete(`${refs(ws.id)}/${byConfig}`).set(bearer(admin.token)).set('x-reason', 'cleanup').expect(204);
    });

    it('refuses a mutation without a reason with 400, changing nothing and auditing nothing', async () => {
      const name = uniqueName();
      const before = await auditCount();
      await request(t.server).post(refs(ws.id)).set(bearer(admin.token)).send({ name, ref: 'env://A' }).expect(400);
      const noReasonPut = await request(t.server).put(`${secrets(ws.id)}/${name}`).set(bearer(admin.token)).send({ value: 'v' }).expect(400);
      expect(noReasonPut.body.error.code).toBe('REASON_REQUIRED');
      expect(await dataSource.getRepository(SecretRefEntity).countBy({ workspaceId: ws.id, name })).toBe(0);
      expect(await dataSource.getRepository(SecretValueEntity).countBy({ workspaceId: ws.id, secretName: name })).toBe(0);
      await createRef(ws.id, { name, ref: 'env://A' }).expect(201);
      const afterCreate = await auditCount();
      await request(t.server).delete(`${refs(ws.id)}/${name}`).set(bearer(admin.token)).expect(400);
      await request(t.server).get(`${refs(ws.id)}/${name}`).set(bearer(admin.token)).expect(200);
      expect(await auditCount()).toBe(afterCreate);
      expect(afterCreate).toBe(before + 1);
    });
  });

  describe('master keys', () => {
    it('rotates: new key B with A previous still resolves, rewrapAll moves rows to B, then B alone works and A alone does not', async () => {
      const keyA = newKey('key-a');
      const keyB = newKey('key-b');
      const name = uniqueName();
      const ringA = MasterKeyring.fromEnv(keyA);
      const vaultA = new SecretVault(dataSource, ringA);
      const workspace = await createTestWorkspace(t.app);
      await dataSource.transaction((m) => vaultA.put(m, workspace.id, name, 'rotating-1'));
      await dataSource.transaction((m) => vaultA.put(m, workspace.id, name, 'rotating-2'));
      const rowsOf = () => dataSource.getRepository(SecretValueEntity).find({ where: { workspaceId: workspace.id, secretName: name }, order: { version: 'ASC' } });
      const before = await rowsOf();

      const ringBA = MasterKeyring.fromEnv(keyB, keyA);
      expect((await new SecretVault(dataSource, ringBA).reveal(workspace.id, name, 1)).value).toBe('rotating-1');
      // Other test rows are under the test key: give it as a previous key too so the whole table re-wraps.
      const rewrap = await rewrapAll(dataSource, MasterKeyring.fromEnv(keyB, `${keyA},${TEST_MASTER_KEY}`));
      expect(rewrap.rewrapped).toBeGreaterThanOrEqual(2);
      const after = await rowsOf();
      expect(after.map((r) => r.masterKeyId)).toEqual(['key-b', 'key-b']);
      after.forEach((row, i) => expect(row.ciphertext.equals(before[i]?.ciphertext ?? Buffer.alloc(0))).toBe(true));
      expect((await rewrapAll(dataSource, MasterKeyring.fromEnv(keyB))).rewrapped).toBe(0);

      const onlyB = new SecretVault(dataSource, MasterKeyring.fromEnv(keyB));
      expect(await onlyB.reveal(workspace.id, name)).toEqual({ version: 2, value: 'rotating-2' });
      expect((await onlyB.reveal(workspace.id, name, 1)).value).toBe('rotating-1');
      await expect(new SecretVault(dataSource, ringA).reveal(workspace.id, name)).rejects.toMatchObject({ reason: 'cannot_decrypt' });

      // The preflight agrees: B passes, A alone refuses to start, and the error names the variable, not the key.
      await expect(preflightMasterKeys(t.config.DATABASE_URL, MasterKeyring.fromEnv(keyB))).resolves.toMatchObject({ checkedKeyIds: ['key-b'] });
      const refused = preflightMasterKeys(t.config.DATABASE_URL, ringA);
      await expect(refused).rejects.toThrow(/ORCH_MASTER_KEY/);
      await refused.catch((error: Error) => expect(error.message).not.toContain(keyA.split(':')[1]));
      // Same id, wrong bytes: refused as well.
      await expect(preflightMasterKeys(t.config.DATABASE_URL, MasterKeyring.fromEnv(newKey('key-b')))).rejects.toThrow(/cannot unwrap/);

      // Put the table back under the app's key for the other tests.
      await rewrapAll(dataSource, MasterKeyring.fromEnv(TEST_MASTER_KEY, keyB));
    });

    it('fails config validation naming ORCH_MASTER_KEY when it is missing or malformed, without echoing it', () => {
      const env = { DATABASE_URL: t.config.DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:6379', ORCH_ENV: 'test' };
      expect(() => loadConfig(ControlApiConfig, env)).toThrow(/ORCH_MASTER_KEY: is required but not set/);
      const malformed = 'k1:not-32-bytes-of-base64-secretish';
      let error: unknown;
      try {
        loadConfig(ControlApiConfig, { ...env, ORCH_MASTER_KEY: malformed, ORCH_MASTER_KEYS_PREVIOUS: 'nope' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['ORCH_MASTER_KEY', 'ORCH_MASTER_KEYS_PREVIOUS']);
      expect((error as Error).message).not.toContain('secretish');
    });
  });
});
