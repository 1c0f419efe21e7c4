import { DataSource } from 'typeorm';
import { EventLogEntity, JobEntity, RunEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { startTestApp, type TestApp } from '@orch/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { eventually, ExecStack } from '../../exec-api/test/support/exec-stack';
import { workerApp } from '../src/app.definition';
import type { WorkerConfig } from '../src/config';

/** Graceful shutdown of the worker: in-flight jobs finish within the grace period or are released. */
describe('worker jobs shutdown', () => {
  let stack: ExecStack;

  beforeAll(async () => {
    stack = await ExecStack.start();
  }, 60_000);
  afterAll(async () => stack?.close());
  beforeEach(() => stack.upstream.reset());

  const startWorker = (graceMs: number): Promise<TestApp<WorkerConfig>> =>
    startTestApp(workerApp, { db: stack.db, env: { REDIS_KEY_PREFIX: stack.redis.prefix, EGRESS_ALLOW_CIDRS: '127.0.0.0/8', EXEC_CATALOG_CACHE_MS: '0', WORKER_SHUTDOWN_GRACE_MS: String(graceMs) } });

  async function submit(worker: TestApp<WorkerConfig>, workspaceId: string, connector: string): Promise<JobEntity> {
    const job = await worker.app.get(DataSource).getRepository(JobEntity).save({ workspaceId, connector, operation: 'get_thing', payload: { id: '1' }, maxAttempts: 3, status: 'queued' as const });
    await worker.app.get(JobQueue).enqueue({ id: job.id, workspaceId });
    return job;
  }

  async function slowConnector(): Promise<{ workspaceId: string; connector: string }> {
    const { ws } = await stack.workspace();
    const { connector } = await stack.httpConnector(ws.id, { policy: { timeout: { connect_ms: 500, read_ms: 10_000, total_ms: 15_000 } } });
    return { workspaceId: ws.id, connector };
  }

  it('lets a running job finish when it ends within WORKER_SHUTDOWN_GRACE_MS', async () => {
    const { workspaceId, connector } = await slowConnector();
    stack.upstream.setHandler(() => ({ status: 200, delayMs: 600 }));
    const worker = await startWorker(5000);
    const job = await submit(worker, workspaceId, connector);
    await eventually(async () => expect(stack.upstream.requests).toHaveLength(1), 5000);
    await worker.close();

    const dataSource = stack.control.app.get(DataSource);
    const row = await dataSource.getRepository(JobEntity).findOneByOrFail({ id: job.id });
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    // The records writer flushed after the job finished: its events are there.
    expect((await dataSource.getRepository(EventLogEntity).find({ where: { jobId: job.id } })).map((e) => e.type)).toContain('job.succeeded');
  });

  it('releases a job still running after the grace period back to queued, and another worker completes it', async () => {
    const { workspaceId, connector } = await slowConnector();
    stack.upstream.setHandler(() => ({ status: 200, delayMs: 5000 }));
    const first = await startWorker(300);
    const job = await submit(first, workspaceId, connector);
    await eventually(async () => expect(stack.upstream.requests).toHaveLength(1), 5000);
    const closingAt = Date.now();
    await first.close();
    expect(Date.now() - closingAt).toBeLessThan(3000);

    const dataSource = stack.control.app.get(DataSource);
    const released = await dataSource.getRepository(JobEntity).findOneByOrFail({ id: job.id });
    expect(released).toMatchObject({ status: 'queued', attempts: 0 });
    const runs = await dataSource.getRepository(RunEntity).find({ where: { jobId: job.id } });
    expect(runs.map((r) => [r.attempt, r.status, r.error?.code])).toEqual([[1, 'failed', 'UNAVAILABLE']]);

    stack.upstream.setHandler(() => ({ status: 200 }));
    const second = await startWorker(5000);
    try {
      await eventually(async () => {
        const row = await dataSource.getRepository(JobEntity).findOneByOrFail({ id: job.id });
        expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
      }, 8000);
      expect((await dataSource.getRepository(RunEntity).find({ where: { jobId: job.id }, order: { attempt: 'ASC' } })).map((r) => [r.attempt, r.status])).toEqual([
        [1, 'failed'],
        [2, 'succeeded'],
      ]);
    } finally {
      await second.close();
    }
  });
});
