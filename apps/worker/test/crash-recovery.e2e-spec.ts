import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JobEntity, RunEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import type { AppDefinition } from '@orch/platform';
import {
  type BuiltAppProcess,
  createTestDatabase,
  createTestOperator,
  createTestRedisPrefix,
  createTestWorkspace,
  FakeUpstream,
  startBuiltApp,
  startTestApp,
  type TestApp,
  type TestDatabase,
  TEST_MASTER_KEY,
  TEST_REDIS_URL,
  type TestOperator,
  type TestRedisPrefix,
} from '@orch/testing';
// The control plane configures the connector and policy as operators do.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../control-api/src/app.definition';

type ControlApiConfig = typeof controlApiApp extends AppDefinition<infer C> ? C : never;

/**
 * The worker as deployed (its built bundle, in its own process) killed with SIGKILL while a job
 * is running: a second worker must finish the job, with one more run row, nothing lost.
 */
describe('worker crash recovery (SIGKILL mid-job)', () => {
  let db: TestDatabase;
  let redis: TestRedisPrefix;
  let control: TestApp<ControlApiConfig>;
  let admin: TestOperator;
  let upstream: FakeUpstream;
  let queue: JobQueue;
  const workers: BuiltAppProcess[] = [];

  const workerEnv = (): Record<string, string> => ({
    ORCH_ENV: 'test',
    HOST: '127.0.0.1',
    WORKER_PORT: '0',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redis.prefix,
    ORCH_MASTER_KEY: TEST_MASTER_KEY,
    EGRESS_ALLOW_CIDRS: '127.0.0.0/8',
    // startBuiltApp waits for the info-level "listening on" line.
    LOG_LEVEL: 'info',
    EXEC_CATALOG_CACHE_MS: '0',
    // Fast recovery for the test: a dead worker's hold lapses after 2 s, checked every second.
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    JOB_SWEEP_EVERY_MS: '500',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedisPrefix();
    control = await startTestApp(controlApiApp, { db, env: { REDIS_KEY_PREFIX: redis.prefix } });
    admin = await createTestOperator(control.app, ['OperatorAdmin']);
    upstream = await FakeUpstream.start();
    queue = new JobQueue({ redisUrl: TEST_REDIS_URL, redisKeyPrefix: redis.prefix });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL').catch(() => undefined);
    await queue?.onApplicationShutdown();
    await upstream?.close();
    await control?.close();
    await redis?.clear();
    await db?.drop();
  });

  it('finishes the job on a new worker after the first one is killed mid-call', async () => {
    const ws = await createTestWorkspace(control.app, `ws-${randomBytes(4).toString('hex')}-dev`);
    const post = (path: string, body: Record<string, unknown>) =>
      request(control.server).post(`/v1/workspaces/${ws.id}/${path}`).set('authorization', `Bearer ${admin.token}`).send({ reason: 'crash test', ...body }).expect(201);
    await post('policies', {
      name: 'crash',
      timeout: { connect_ms: 500, read_ms: 2000, total_ms: 2000 },
      retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, jitter: 'full', retry_on: ['network', 'timeout', 503], respect_retry_after: true },
    });
    await post('connectors', { name: 'api', type: 'http', policy: 'crash', config: { base_url: upstream.url, operations: [{ operation_id: 'get_thing', method: 'GET', path: '/things/{id}' }] } });

    // The first call hangs (the worker is killed during it); later calls answer at once.
    upstream.setHandler((req) => (upstream.requests.indexOf(req) === 0 ? { hang: true } : { status: 200, body: { ok: true } }));
    const jobs = control.app.get(DataSource).getRepository(JobEntity);
    const job = await jobs.save(jobs.create({ workspaceId: ws.id, connector: 'api', operation: 'get_thing', payload: { id: '7' }, status: 'queued', maxAttempts: 3 }));

    const first = await startBuiltApp('worker', workerEnv());
    workers.push(first);
    await queue.enqueue({ id: job.id, workspaceId: ws.id });
    await until(() => upstream.requests.length === 1, 10_000, 'the first worker to call the upstream');
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');

    const second = await startBuiltApp('worker', workerEnv());
    workers.push(second);
    await until(async () => (await jobs.findOneByOrFail({ id: job.id })).status === 'succeeded', 20_000, 'the job to succeed on the second worker');

    const done = await jobs.findOneByOrFail({ id: job.id });
    const runs = await control.app.get(DataSource).getRepository(RunEntity).find({ where: { jobId: job.id }, order: { attempt: 'ASC' } });
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(done.attempts).toBe(2);
    expect(upstream.requests).toHaveLength(2);
  }, 60_000);
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
