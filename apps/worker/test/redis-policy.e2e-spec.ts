import request from 'supertest';
import { createTestDatabase, createTestRedisPrefix, runBuiltAppToExit, ScratchRedis, startBuiltApp, startTestApp, TEST_MASTER_KEY, type TestApp, type TestDatabase, type TestRedisPrefix } from '@orch/testing';
import { workerApp } from '../src/app.definition';
import type { WorkerConfig } from '../src/config';

describe('worker Redis eviction policy', () => {
  let db: TestDatabase;
  let evicting: ScratchRedis;
  // The noeviction case runs against the shared Redis: its keys go under a prefix of this run, cleared after.
  const redis: TestRedisPrefix = createTestRedisPrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    evicting = await ScratchRedis.start(['--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(async () => {
    await evicting?.kill();
    await redis.clear();
    await db?.drop();
  });

  const env = (overrides: Record<string, string>) => ({ HOST: '127.0.0.1', WORKER_PORT: '0', DATABASE_URL: db.url, REDIS_KEY_PREFIX: redis.prefix, LOG_LEVEL: 'info', ORCH_MASTER_KEY: TEST_MASTER_KEY, ...overrides });

  it('refuses to start in prod when Redis may evict', async () => {
    const result = await runBuiltAppToExit('worker', env({ ORCH_ENV: 'prod', REDIS_URL: evicting.url }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('maxmemory-policy is "allkeys-lru"');
  });

  it('starts with a warning in dev', async () => {
    const proc = await startBuiltApp('worker', env({ ORCH_ENV: 'dev', REDIS_URL: evicting.url }));
    try {
      expect(proc.logs.some((l) => String(l.msg).includes('allkeys-lru') && l.level === 40)).toBe(true);
    } finally {
      await proc.stop();
    }
  });

  it('starts in prod on a noeviction Redis', async () => {
    const proc = await startBuiltApp('worker', env({ ORCH_ENV: 'prod', REDIS_URL: 'redis://127.0.0.1:6379' }));
    await proc.stop();
  });
});

describe('worker queues', () => {
  let t: TestApp<WorkerConfig>;

  beforeAll(async () => {
    t = await startTestApp(workerApp);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('exposes the depth of every queue on /metrics', async () => {
    const res = await request(t.server).get('/metrics').expect(200);
    for (const queue of ['jobs', 'webhooks', 'callbacks']) {
      expect(res.text).toContain(`orch_queue_depth{queue="${queue}",state="waiting",service="worker"} 0`);
    }
    // The maintenance queue holds the worker's own scheduled jobs (idempotency purge): some depth, reported.
    expect(res.text).toMatch(/orch_queue_depth\{queue="maintenance",state="waiting",service="worker"\} \d+/);
  });
});
