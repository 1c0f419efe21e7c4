import { DataSource } from 'typeorm';
import { EventLogEntity, JobEntity, RunEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { startTestApp, type TestApp } from '@orch/testing';
// control-api (connectors, policies) and the fake upstream come from exec-api's e2e stack.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ExecStack, eventually } from '../../exec-api/test/support/exec-stack';
import { workerApp } from '../src/app.definition';
import type { WorkerConfig } from '../src/config';
import { JobSweeper } from '../src/jobs/job-sweeper.service';

const TERMINAL = ['succeeded', 'failed', 'dead_lettered', 'cancelled'];

/** The worker's jobs queue against real Postgres, Redis, control-api and a fake upstream. */
describe('worker jobs', () => {
  let stack: ExecStack;
  let worker: TestApp<WorkerConfig>;
  let dataSource: DataSource;
  let queue: JobQueue;

  beforeAll(async () => {
    stack = await ExecStack.start();
    worker = await startTestApp(workerApp, {
      db: stack.db,
      env: {
        REDIS_KEY_PREFIX: stack.redis.prefix,
        EGRESS_ALLOW_CIDRS: '127.0.0.0/8',
        EXEC_CATALOG_CACHE_MS: '0',
        WORKER_CONCURRENCY: '10',
        JOB_CANCEL_POLL_MS: '100',
        JOB_SWEEP_EVERY_MS: '1000',
        JOB_STUCK_AFTER_MS: '1000',
      },
    });
    dataSource = worker.app.get(DataSource);
    queue = worker.app.get(JobQueue);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  beforeEach(() => stack.upstream.reset());

  async function newJob(workspaceId: string, connector: string, options: { operation?: string; payload?: unknown; maxAttempts?: number; enqueue?: boolean } = {}): Promise<JobEntity> {
    const job = await dataSource.getRepository(JobEntity).save({
      workspaceId,
      connector,
      operation: options.operation ?? 'get_thing',
      payload: options.payload ?? { id: '1' },
      maxAttempts: options.maxAttempts ?? 3,
      status: 'queued' as const,
    });
    if (options.enqueue !== false) await queue.enqueue({ id: job.id, workspaceId });
    return job;
  }

  async function settled(jobId: string, timeoutMs = 10_000): Promise<JobEntity> {
    let job: JobEntity | null = null;
    await eventually(async () => {
      job = await dataSource.getRepository(JobEntity).findOneByOrFail({ id: jobId });
      expect(TERMINAL).toContain(job.status);
    }, timeoutMs);
    return job as unknown as JobEntity;
  }

  const runsOf = (jobId: string) => dataSource.getRepository(RunEntity).find({ where: { jobId }, order: { attempt: 'ASC' } });
  const eventTypes = async (jobId: string) => (await dataSource.getRepository(EventLogEntity).find({ where: { jobId }, order: { id: 'ASC' } })).map((e) => e.type);

  describe('lifecycle', () => {
    it('runs a job to succeeded with its output, one run and the job/run events', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      stack.upstream.setHandler(() => ({ status: 200, body: { thing: 42 } }));
      const job = await newJob(ws.id, connector);

      const done = await settled(job.id);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 1, output: { thing: 42 }, error: null });
      expect(done.finishedAt).not.toBeNull();
      const runs = await runsOf(job.id);
      expect(runs.map((r) => [r.attempt, r.status, r.upstreamStatus])).toEqual([[1, 'succeeded', 200]]);
      // Written with the claim and with the transition: in order, at once (no buffer to wait for).
      const events = await dataSource.getRepository(EventLogEntity).find({ where: { jobId: job.id }, order: { id: 'ASC' } });
      expect(events.map((e) => e.type)).toEqual(['job.started', 'run.started', 'run.succeeded', 'job.succeeded']);
      const runId = runs[0]?.id;
      expect(events[0]).toMatchObject({ executionId: null, data: { connector, operation: 'get_thing', run_id: runId, attempt: 1, attempts: 1 } });
      expect(events[1]).toMatchObject({ executionId: runId, data: { connector, operation: 'get_thing', run_id: runId, attempt: 1 } });
      expect(events[2]).toMatchObject({ executionId: runId, data: { run_id: runId, attempt: 1, status: 'succeeded', upstream_status: 200 } });
    });

    it('retries 503, 503 then succeeds on the third run, with one run row per attempt', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      stack.upstream.enqueue({ status: 503 }, { status: 503 }, { status: 200, body: { third: true } });
      const job = await newJob(ws.id, connector, { maxAttempts: 3 });

      const done = await settled(job.id);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 3, output: { third: true } });
      expect((await runsOf(job.id)).map((r) => [r.attempt, r.status, r.upstreamStatus])).toEqual([
        [1, 'failed', 503],
        [2, 'failed', 503],
        [3, 'succeeded', 200],
      ]);
      // One upstream call per run: the worker retries across runs, not inside one.
      expect(stack.upstream.requests).toHaveLength(3);
      await eventually(async () => expect((await eventTypes(job.id)).filter((t) => t === 'job.retry_scheduled')).toHaveLength(2));
      // The same upstream Idempotency-Key on every run of the job.
      expect(new Set(stack.upstream.requests.map((r) => r.headers['idempotency-key'])).size).toBeLessThanOrEqual(1);
    });

    it('dead-letters a job whose retryable failures exhaust max_attempts, with the last error', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      stack.upstream.setHandler(() => ({ status: 503 }));
      const job = await newJob(ws.id, connector, { maxAttempts: 3 });

      const done = await settled(job.id);
      expect(done).toMatchObject({ status: 'dead_lettered', attempts: 3 });
      expect(done.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 503 } });
      expect((await runsOf(job.id)).map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
      await eventually(async () => expect(await eventTypes(job.id)).toContain('job.dead_lettered'));
    });

    it('dead-letters a non-retryable failure (400) after one run', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      stack.upstream.setHandler(() => ({ status: 400, body: { error: 'bad' } }));
      const job = await newJob(ws.id, connector, { maxAttempts: 3 });

      const done = await settled(job.id);
      expect(done).toMatchObject({ status: 'dead_lettered', attempts: 1 });
      expect(done.error).toMatchObject({ code: 'UPSTREAM_ERROR' });
      expect(await runsOf(job.id)).toHaveLength(1);
    });

    it('dead-letters a job whose connector does not exist, recording the failed run', async () => {
      const { ws } = await stack.workspace();
      const job = await newJob(ws.id, 'no-such-connector');
      const done = await settled(job.id);
      expect(done).toMatchObject({ status: 'dead_lettered', attempts: 1 });
      expect(done.error).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('ignores a redelivery of a finished job', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      const job = await newJob(ws.id, connector);
      await settled(job.id);
      await queue.enqueue({ id: job.id, workspaceId: ws.id });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stack.upstream.requests).toHaveLength(1);
      expect(await runsOf(job.id)).toHaveLength(1);
    });
  });

  describe('degradation', () => {
    it('delays (does not fail) a job refused by an open breaker under queue_with_delay, then runs it', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id, {
        policy: { degradation: 'queue_with_delay', circuit_breaker: { window_ms: 10_000, min_requests: 1, failure_rate_threshold: 0.5, open_ms: 1500, half_open_probes: 1 } },
      });
      // One failing job opens the breaker.
      stack.upstream.enqueue({ status: 503 });
      const opener = await newJob(ws.id, connector, { maxAttempts: 1 });
      expect((await settled(opener.id)).status).toBe('dead_lettered');

      const job = await newJob(ws.id, connector, { maxAttempts: 1 });
      await eventually(async () => expect(await eventTypes(job.id)).toContain('job.delayed'));
      const delayed = await dataSource.getRepository(JobEntity).findOneByOrFail({ id: job.id });
      expect(delayed.attempts).toBe(0);
      expect(['queued', 'running', 'succeeded']).toContain(delayed.status);

      const done = await settled(job.id, 10_000);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 1 });
      // The refused run was withdrawn: only the half-open probe's run is on record.
      expect((await runsOf(job.id)).map((r) => [r.attempt, r.status])).toEqual([[1, 'succeeded']]);
    });

    it('counts an open breaker under fail_fast as a failed attempt', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id, {
        policy: { degradation: 'fail_fast', circuit_breaker: { window_ms: 10_000, min_requests: 1, failure_rate_threshold: 0.5, open_ms: 60_000, half_open_probes: 1 } },
      });
      stack.upstream.enqueue({ status: 503 });
      await settled((await newJob(ws.id, connector, { maxAttempts: 1 })).id);

      const job = await newJob(ws.id, connector, { maxAttempts: 1 });
      const done = await settled(job.id);
      expect(done).toMatchObject({ status: 'dead_lettered', attempts: 1, error: { code: 'CIRCUIT_OPEN' } });
      expect(stack.upstream.requests).toHaveLength(1);
    });
  });

  describe('cancellation', () => {
    it('aborts a running job whose cancel was requested: run and job cancelled', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id, { policy: { timeout: { connect_ms: 500, read_ms: 10_000, total_ms: 15_000 } } });
      stack.upstream.setHandler(() => ({ status: 200, delayMs: 5000 }));
      const job = await newJob(ws.id, connector);
      await eventually(async () => expect(stack.upstream.requests).toHaveLength(1), 5000);

      const requestedAt = Date.now();
      await dataSource.getRepository(JobEntity).update({ id: job.id }, { cancelRequested: true });
      const done = await settled(job.id, 5000);
      expect(done.status).toBe('cancelled');
      expect(Date.now() - requestedAt).toBeLessThan(2000);
      expect((await runsOf(job.id)).map((r) => r.status)).toEqual(['cancelled']);
      await eventually(async () => expect(await eventTypes(job.id)).toContain('job.cancelled'));
    });

    it('cancels a queued job with cancel_requested without calling the upstream', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      const job = await newJob(ws.id, connector, { enqueue: false });
      await dataSource.getRepository(JobEntity).update({ id: job.id }, { cancelRequested: true });
      await queue.enqueue({ id: job.id, workspaceId: ws.id });
      expect((await settled(job.id)).status).toBe('cancelled');
      expect(stack.upstream.requests).toHaveLength(0);
    });
  });

  describe('sweeper', () => {
    it('runs a queued row that never reached the queue (Redis down at submission)', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      const job = await newJob(ws.id, connector, { enqueue: false });
      // JOB_STUCK_AFTER_MS=1000, JOB_SWEEP_EVERY_MS=1000.
      expect((await settled(job.id, 8000)).status).toBe('succeeded');
    });

    it('re-enqueues a running row whose worker died and whose queue entry is gone; the new run takes over', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      const jobs = dataSource.getRepository(JobEntity);
      const job = await newJob(ws.id, connector, { enqueue: false });
      // A crashed worker's leftovers: running since long ago, attempt 1 open.
      await jobs.update({ id: job.id }, { status: 'running', attempts: 1, startedAt: new Date(Date.now() - 120_000) });
      await dataSource.getRepository(RunEntity).insert({ workspaceId: ws.id, jobId: job.id, attempt: 1, status: 'running' });

      await worker.app.get(JobSweeper).sweep();
      const done = await settled(job.id, 8000);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect((await runsOf(job.id)).map((r) => [r.attempt, r.status])).toEqual([
        [1, 'failed'],
        [2, 'succeeded'],
      ]);
    });
  });

  describe('fairness', () => {
    it('runs a job of workspace B within 3 s while 200 slow jobs of workspace A are still queued (6 s without fairness)', async () => {
      const a = await stack.workspace();
      const b = await stack.workspace();
      const slow = await stack.httpConnector(a.ws.id, { operations: [{ operation_id: 'get_thing', method: 'GET', path: '/slow/{id}' }] });
      const fast = await stack.httpConnector(b.ws.id);
      // 300 ms per slow call: without per-workspace slots, B would wait for 200 × 0.3 s / 10 lanes = 6 s.
      stack.upstream.setHandler((req) => (req.url.startsWith('/slow/') ? { status: 200, delayMs: 300 } : { status: 200 }));
      await stack.setQuotas(a.ws.id, { rps: 10_000, concurrency: 1000 });

      const flood: JobEntity[] = [];
      for (let i = 0; i < 200; i++) flood.push(await newJob(a.ws.id, slow.connector, { enqueue: false }));
      await Promise.all(flood.map((job) => queue.enqueue({ id: job.id, workspaceId: a.ws.id })));

      const startedAt = Date.now();
      const job = await newJob(b.ws.id, fast.connector);
      const done = await settled(job.id, 8000);
      const elapsed = Date.now() - startedAt;
      expect(done.status).toBe('succeeded');
      expect(elapsed).toBeLessThan(3000);
      const backlog = await dataSource.getRepository(JobEntity).count({ where: [{ workspaceId: a.ws.id, status: 'queued' }, { workspaceId: a.ws.id, status: 'running' }] });
      expect(backlog).toBeGreaterThan(0);

      // A's flood completes too, at most 5 (WORKER_CONCURRENCY / 2) at a time.
      await eventually(async () => {
        const left = await dataSource.getRepository(JobEntity).count({ where: [{ workspaceId: a.ws.id, status: 'queued' }, { workspaceId: a.ws.id, status: 'running' }] });
        expect(left).toBe(0);
      }, 40_000);
      expect(await dataSource.getRepository(JobEntity).count({ where: { workspaceId: a.ws.id, status: 'succeeded' } })).toBe(200);
    }, 80_000);
  });
});
