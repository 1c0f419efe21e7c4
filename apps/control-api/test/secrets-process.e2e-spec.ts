import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  createTestDatabase,
  createTestOperator,
  createTestRedisPrefix,
  createTestWorkspace,
  runBuiltAppToExit,
  startBuiltApp,
  startTestApp,
  TEST_MASTER_KEY,
  TEST_REDIS_URL,
  type BuiltAppProcess,
  type TestApp,
  type TestDatabase,
  type TestRedisPrefix,
} from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

/**
 * The built control-api as a process, logging at debug: a canary secret value goes in through
 * every secrets endpoint and must come out of none of them, nor the logs, nor the audit rows.
 * A wrong master key then keeps the same bundle from starting.
 */
describe('control-api secrets as a process', () => {
  let db: TestDatabase;
  let redis: TestRedisPrefix;
  let fixtures: TestApp<ControlApiConfig>;
  let proc: BuiltAppProcess | undefined;
  const keysDir = join(tmpdir(), `orch-test-keys-${randomBytes(6).toString('hex')}`);
  const canary = `canary-${randomBytes(16).toString('hex')}`;

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    ORCH_ENV: 'test',
    HOST: '127.0.0.1',
    CONTROL_API_PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redis.prefix,
    ORCH_JWT_KEYS_DIR: keysDir,
    ORCH_MASTER_KEY: TEST_MASTER_KEY,
    LOG_LEVEL: 'debug',
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedisPrefix();
    // Rows and tokens come from an in-process app on the same database, keys and Redis prefix.
    fixtures = await startTestApp(controlApiApp, { db, env: { REDIS_KEY_PREFIX: redis.prefix, ORCH_JWT_KEYS_DIR: keysDir } });
  });
  afterAll(async () => {
    await proc?.stop();
    await fixtures?.close();
    await redis?.clear();
    await db?.drop();
  });

  it('never shows a vault value in a response, a log line or an audit row', async () => {
    proc = await startBuiltApp('control-api', env());
    const admin = await createTestOperator(fixtures.app, ['OperatorAdmin']);
    const ws = await createTestWorkspace(fixtures.app);
    const base = `http://127.0.0.1:${proc.port}/v1/workspaces/${ws.id}`;
    const bodies: string[] = [];
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-request-id': `canary-${bodies.length}`, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      bodies.push(`${res.status} ${await res.clone().text()}`);
      return res;
    };

    expect((await call('PUT', '/secrets/stripe-key', { value: canary, reason: 'canary v1' })).status).toBe(201);
    expect((await call('PUT', '/secrets/stripe-key', { value: `${canary}-v2`, reason: 'canary v2' })).status).toBe(201);
    expect((await call('POST', '/secret-refs', { name: 'stripe-key', ref: 'vault://stripe-key', reason: 'wire it' })).status).toBe(201);
    expect((await call('GET', '/secret-refs')).status).toBe(200);
    expect((await call('GET', '/secret-refs/stripe-key')).status).toBe(200);
    const checked = await call('POST', '/secret-refs/stripe-key/check');
    expect(await checked.json()).toEqual({ ok: true, version: 2 });
    // Failing requests carrying the value: validation errors must not echo it either.
    expect((await call('PUT', '/secrets/stripe-key', { value: canary, reason: 'r', extra: canary })).status).toBe(400);
    expect((await call('PUT', '/secrets/stripe-key', { value: canary })).status).toBe(400);
    expect((await call('PUT', '/secrets/-bad', { value: canary, reason: 'r' })).status).toBe(400);
    expect((await call('PUT', '/secrets/stripe-key', { value: canary, reason: 'r' }, { authorization: 'Bearer nope' })).status).toBe(401);

    // Wait for the last request's log line so the logs are complete.
    const deadline = Date.now() + 5000;
    while (!proc.logs.some((l) => l['request_id'] === `canary-${bodies.length - 1}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Every request was logged (so the grep below looked at real request logs).
    for (let i = 0; i < bodies.length; i++) expect(proc.logs.some((l) => l['request_id'] === `canary-${i}`)).toBe(true);

    for (const body of bodies) expect(body).not.toContain(canary);
    const logs = JSON.stringify(proc.logs) + proc.stderr();
    expect(logs.split(canary).length - 1).toBe(0);
    const audit: Array<{ row: string }> = await fixtures.app.get(DataSource).query('SELECT row_to_json(a)::text AS row FROM operator_audit_log a');
    expect(audit.map((a) => a.row).filter((row) => row.includes('secret.put'))).toHaveLength(2);
    for (const { row } of audit) expect(row).not.toContain(canary);
    await proc.stop();
    proc = undefined;
  });

  it('refuses to start with a master key that cannot unwrap the stored secrets, or without one', async () => {
    const wrong = await runBuiltAppToExit('control-api', env({ ORCH_MASTER_KEY: `test-1:${randomBytes(32).toString('base64')}` }));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('refusing to start');
    expect(wrong.stderr).toContain('ORCH_MASTER_KEY');
    const unknown = await runBuiltAppToExit('control-api', env({ ORCH_MASTER_KEY: `other:${randomBytes(32).toString('base64')}` }));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/master key "test-1"/);
    const missing = await runBuiltAppToExit('control-api', env({ ORCH_MASTER_KEY: '' }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ORCH_MASTER_KEY: is required but not set');
    // The old key as a previous one is enough to start.
    const rotating = await startBuiltApp('control-api', env({ ORCH_MASTER_KEY: `next:${randomBytes(32).toString('base64')}`, ORCH_MASTER_KEYS_PREVIOUS: TEST_MASTER_KEY, LOG_LEVEL: 'info' }));
    await rotating.stop();
  });
});
