import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bullPrefix, eventsChannel, QUEUES } from '@orch/contracts';
import { ConfigEntity, ConnectorEntity, DEFAULT_POLICY, EventLogEntity, JobEntity, type JobStatus, OperatorAuditLogEntity, PolicyEntity, RunEntity, type WorkspaceEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { redisConnectionOptions } from '@orch/platform';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, TEST_REDIS_URL, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const UNKNOWN_ID = '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11';

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

function pathsOf(body: { error: { details?: Array<{ path: string }> } }): string[] {
  return (body.error.details ?? []).map((detail) => detail.path);
}

interface JobSeed {
  status?: JobStatus;
  connector?: string;
  operation?: string;
  attempts?: number;
  maxAttempts?: number;
  errorCode?: string;
  finishedAt?: Date | null;
  createdAt?: Date;
  configVersion?: string | null;
}

describe('Jobs, DLQ and events (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let dataSource: DataSource;
  let queue: Queue;
  let admin: TestOperator;
  let support: TestOperator;
  let auditor: TestOperator;

  const ws = (workspaceId: string) => `/v1/workspaces/${workspaceId}`;

  /** A job row with one run per attempt, as the worker would leave it; inserted directly (no worker here). */
  async function addJob(workspaceId: string, seed: JobSeed = {}): Promise<JobEntity> {
    const status = seed.status ?? 'dead_lettered';
    const attempts = seed.attempts ?? 3;
    const error = status === 'dead_lettered' || status === 'failed' ? { code: seed.errorCode ?? 'UPSTREAM_ERROR', message: 'upstream answered 502' } : null;
    const jobs = dataSource.getRepository(JobEntity);
    const job = await jobs.save(
      jobs.create({
        workspaceId,
        connector: seed.connector ?? 'billing',
        operation: seed.operation ?? 'charge',
        payload: { amount: 1 },
        status,
        attempts,
        maxAttempts: seed.maxAttempts ?? 3,
        error,
        configVersion: seed.configVersion ?? null,
        traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        startedAt: attempts > 0 ? new Date(Date.now() - 60_000) : null,
        finishedAt: seed.finishedAt === undefined ? (status === 'dead_lettered' ? new Date() : null) : seed.finishedAt,
        ...(seed.createdAt ? { createdAt: seed.createdAt } : {}),
      }),
    );
    const runs = dataSource.getRepository(RunEntity);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await runs.save(runs.create({ workspaceId, jobId: job.id, attempt, status: 'failed', finishedAt: new Date(), upstreamStatus: 502, durationMs: 12, error: { code: 'UPSTREAM_ERROR', message: '502' } }));
    }
    return job;
  }

  const jobRow = (id: string) => dataSource.getRepository(JobEntity).findOneBy({ id });
  const runsOf = (jobId: string) => dataSource.getRepository(RunEntity).find({ where: { jobId }, order: { attempt: 'ASC' } });
  const auditsOf = (workspaceId: string, action: string) => dataSource.getRepository(OperatorAuditLogEntity).find({ where: { workspaceId, action }, order: { id: 'ASC' } });
  const eventsOf = (jobId: string, type: string) => dataSource.getRepository(EventLogEntity).findBy({ jobId, type });

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    queue = new Queue(QUEUES.jobs, { connection: redisConnectionOptions(TEST_REDIS_URL), prefix: bullPrefix(t.config.REDIS_KEY_PREFIX) });
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    support = await createTestOperator(t.app, ['Support']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
  });
  afterAll(async () => {
    await queue?.close();
    await t?.close();
  });

  describe('access', () => {
    it('answers 401 without a token on all six routes', async () => {
      const w = await createTestWorkspace(t.app);
      const job = await addJob(w.id);
      const calls = [
        request(t.server).get(`${ws(w.id)}/jobs`),
        request(t.server).get(`${ws(w.id)}/jobs/${job.id}`),
        request(t.server).get(`${ws(w.id)}/dlq`),
        request(t.server).post(`${ws(w.id)}/dlq/replay`).send({ job_id: job.id, reason: 'r' }),
        request(t.server).delete(`${ws(w.id)}/dlq`).send({ job_id: job.id, reason: 'r' }),
        request(t.server).get(`${ws(w.id)}/events`),
      ];
      for (const call of calls) {
        const res = await call;
        expect(res.status).toBe(401);
        expectError(res.body, 'UNAUTHENTICATED');
      }
      expect((await jobRow(job.id))?.status).toBe('dead_lettered');
    });

    it('lets ReadOnlyAuditor read but not replay or purge (403); Support replays but does not purge', async () => {
      const w = await createTestWorkspace(t.app);
      const job = await addJob(w.id);
      for (const path of ['jobs', `jobs/${job.id}`, 'dlq', 'events']) await request(t.server).get(`${ws(w.id)}/${path}`).set(bearer(auditor.token)).expect(200);
      expectError((await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(auditor.token)).send({ job_id: job.id, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(auditor.token)).send({ job_id: job.id, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expectError((await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(support.token)).send({ job_id: job.id, reason: 'r' }).expect(403)).body, 'FORBIDDEN');
      expect((await jobRow(job.id))?.status).toBe('dead_lettered');
      expect(await auditsOf(w.id, 'dlq.replay')).toHaveLength(0);
      expect(await auditsOf(w.id, 'dlq.purge')).toHaveLength(0);

      const res = await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(support.token)).send({ job_id: job.id, reason: 'support replays' }).expect(200);
      expect(res.body).toEqual({ replayed: 1, job_ids: [job.id], enqueue_failed: 0 });
    });

    it("answers 404 for another workspace's job on every route, to operators and to a confined service token", async () => {
      const a = await createTestWorkspace(t.app);
      const b = await createTestWorkspace(t.app);
      const bJob = await addJob(b.id);
      const aToken = await serviceToken(t.app, a.id, ['workspace:read', 'workspace:write'], { audience: 'control' });
      const underA = [
        request(t.server).get(`${ws(a.id)}/jobs/${bJob.id}`).set(bearer(admin.token)),
        request(t.server).post(`${ws(a.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: bJob.id, reason: 'r' }),
        request(t.server).delete(`${ws(a.id)}/dlq`).set(bearer(admin.token)).send({ job_id: bJob.id, reason: 'r' }),
        request(t.server).get(`${ws(a.id)}/jobs/${bJob.id}`).set(bearer(aToken)),
        request(t.server).post(`${ws(a.id)}/dlq/replay`).set(bearer(aToken)).send({ job_id: bJob.id, reason: 'r' }),
        request(t.server).delete(`${ws(a.id)}/dlq`).set(bearer(aToken)).send({ job_id: bJob.id, reason: 'r' }),
        // A's token on B's paths.
        request(t.server).get(`${ws(b.id)}/jobs`).set(bearer(aToken)),
        request(t.server).get(`${ws(b.id)}/jobs/${bJob.id}`).set(bearer(aToken)),
        request(t.server).get(`${ws(b.id)}/dlq`).set(bearer(aToken)),
        request(t.server).post(`${ws(b.id)}/dlq/replay`).set(bearer(aToken)).send({ job_id: bJob.id, reason: 'r' }),
        request(t.server).delete(`${ws(b.id)}/dlq`).set(bearer(aToken)).send({ job_id: bJob.id, reason: 'r' }),
        request(t.server).get(`${ws(b.id)}/events`).set(bearer(aToken)),
      ];
      for (const call of underA) {
        const res = await call;
        expect(res.status).toBe(404);
        expectError(res.body, 'NOT_FOUND');
      }
      expect(await jobRow(bJob.id)).toMatchObject({ status: 'dead_lettered', attempts: 3, maxAttempts: 3 });
      expect(await runsOf(bJob.id)).toHaveLength(3);
      // A's filter replay never reaches B's jobs.
      const res = await request(t.server).post(`${ws(a.id)}/dlq/replay`).set(bearer(aToken)).send({ filter: {}, reason: 'r' }).expect(200);
      expect(res.body).toEqual({ replayed: 0, job_ids: [], enqueue_failed: 0 });
      expect((await jobRow(bJob.id))?.status).toBe('dead_lettered');
    });
  });

  describe('GET jobs', () => {
    let w: WorkspaceEntity;
    beforeAll(async () => {
      w = await createTestWorkspace(t.app);
    });

    it('lists newest first with status, connector and time filters, paged by cursor', async () => {
      const day = (n: number) => new Date(Date.UTC(2026, 0, n));
      const old = await addJob(w.id, { status: 'succeeded', attempts: 1, connector: 'billing', createdAt: day(1) });
      const mid = await addJob(w.id, { status: 'dead_lettered', connector: 'mailer', createdAt: day(2) });
      const recent = await addJob(w.id, { status: 'queued', attempts: 0, connector: 'billing', createdAt: day(3) });

      const all = await request(t.server).get(`${ws(w.id)}/jobs`).set(bearer(admin.token)).expect(200);
      expect(all.body.data.map((job: { id: string }) => job.id)).toEqual([recent.id, mid.id, old.id]);
      expect(all.body.data[1]).toEqual({
        id: mid.id,
        workspace_id: w.id,
        connector: 'mailer',
        operation: 'charge',
        status: 'dead_lettered',
        attempts: 3,
        max_attempts: 3,
        error: { code: 'UPSTREAM_ERROR', message: 'upstream answered 502' },
        output: null,
        config_version: null,
        cancel_requested: false,
        has_callback: false,
        callback_status: null,
        callback_attempts: 0,
        delay_until: null,
        created_at: day(2).toISOString(),
        updated_at: expect.any(String),
        started_at: expect.any(String),
        finished_at: expect.any(String),
      });
      expect(all.body.data[1]).not.toHaveProperty('payload');

      const ids = async (query: string) => (await request(t.server).get(`${ws(w.id)}/jobs?${query}`).set(bearer(admin.token)).expect(200)).body.data.map((job: { id: string }) => job.id);
      expect(await ids('status=queued')).toEqual([recent.id]);
      expect(await ids('connector=billing')).toEqual([recent.id, old.id]);
      expect(await ids(`created_after=${day(2).toISOString()}`)).toEqual([recent.id, mid.id]);
      // Both bounds inclusive, as on exec-api.
      expect(await ids(`created_before=${day(2).toISOString()}`)).toEqual([mid.id, old.id]);

      const first = await request(t.server).get(`${ws(w.id)}/jobs?limit=2`).set(bearer(admin.token)).expect(200);
      expect(first.body.data.map((job: { id: string }) => job.id)).toEqual([recent.id, mid.id]);
      const second = await request(t.server).get(`${ws(w.id)}/jobs?limit=2&cursor=${first.body.next_cursor}`).set(bearer(admin.token)).expect(200);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: old.id })], next_cursor: null });
    });

    it('refuses invalid filters with their paths', async () => {
      for (const [query, path] of [
        ['status=bogus', '/status'],
        ['created_after=yesterday', '/created_after'],
        ['limit=0', '/limit'],
        ['cursor=not-a-cursor', '/cursor'],
        ['colour=blue', '/colour'],
      ]) {
        const res = await request(t.server).get(`${ws(w.id)}/jobs?${query}`).set(bearer(admin.token)).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(pathsOf(res.body)).toContain(path);
      }
    });

    it('gets a job with its runs by attempt; unknown or malformed ids are 404', async () => {
      const job = await addJob(w.id, { attempts: 2, maxAttempts: 2 });
      const res = await request(t.server).get(`${ws(w.id)}/jobs/${job.id}`).set(bearer(auditor.token)).expect(200);
      expect(res.body).toMatchObject({ id: job.id, status: 'dead_lettered', attempts: 2 });
      expect(res.body.runs).toEqual([
        { id: expect.any(String), attempt: 1, status: 'failed', started_at: expect.any(String), finished_at: expect.any(String), upstream_status: 502, duration_ms: 12, error: { code: 'UPSTREAM_ERROR', message: '502' } },
        expect.objectContaining({ attempt: 2 }),
      ]);
      for (const id of [UNKNOWN_ID, 'not-a-uuid']) expectError((await request(t.server).get(`${ws(w.id)}/jobs/${id}`).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
    });
  });

  describe('GET dlq', () => {
    it('lists only dead-lettered jobs with their last error, filtered and paged', async () => {
      const w = await createTestWorkspace(t.app);
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
      const a = await addJob(w.id, { connector: 'billing', operation: 'charge', errorCode: 'UPSTREAM_ERROR', finishedAt: at(30) });
      const b = await addJob(w.id, { connector: 'billing', operation: 'refund', errorCode: 'UPSTREAM_TIMEOUT', finishedAt: at(20) });
      const c = await addJob(w.id, { connector: 'mailer', operation: 'send', errorCode: 'UPSTREAM_ERROR', finishedAt: at(10) });
      await addJob(w.id, { status: 'failed' });
      await addJob(w.id, { status: 'succeeded', attempts: 1 });

      const list = await request(t.server).get(`${ws(w.id)}/dlq`).set(bearer(auditor.token)).expect(200);
      expect(list.body.data.map((job: { id: string }) => job.id)).toEqual([c.id, b.id, a.id]);
      expect(list.body.data[1]).toMatchObject({ id: b.id, status: 'dead_lettered', error: { code: 'UPSTREAM_TIMEOUT' }, dead_lettered_at: expect.any(String) });
      expect(Date.parse(list.body.data[1].dead_lettered_at)).toBe((await jobRow(b.id))?.finishedAt?.getTime());

      const ids = async (query: string) => (await request(t.server).get(`${ws(w.id)}/dlq?${query}`).set(bearer(admin.token)).expect(200)).body.data.map((job: { id: string }) => job.id);
      expect(await ids('connector=billing')).toEqual([b.id, a.id]);
      expect(await ids('connector=billing&operation=charge')).toEqual([a.id]);
      expect(await ids('error_code=UPSTREAM_ERROR')).toEqual([c.id, a.id]);
      expect(await ids(`dead_lettered_after=${at(25).toISOString()}`)).toEqual([c.id, b.id]);
      expect(await ids(`dead_lettered_before=${at(15).toISOString()}&dead_lettered_after=${at(25).toISOString()}`)).toEqual([b.id]);

      const first = await request(t.server).get(`${ws(w.id)}/dlq?limit=2`).set(bearer(admin.token)).expect(200);
      expect(first.body.data.map((job: { id: string }) => job.id)).toEqual([c.id, b.id]);
      const second = await request(t.server).get(`${ws(w.id)}/dlq?limit=2&cursor=${first.body.next_cursor}`).set(bearer(admin.token)).expect(200);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: a.id })], next_cursor: null });

      for (const [query, path] of [
        ['dead_lettered_after=soon', '/dead_lettered_after'],
        [`dead_lettered_after=${at(10).toISOString()}&dead_lettered_before=${at(20).toISOString()}`, '/dead_lettered_before'],
        ['status=queued', '/status'],
      ]) {
        const res = await request(t.server).get(`${ws(w.id)}/dlq?${query}`).set(bearer(admin.token)).expect(400);
        expect(pathsOf(res.body)).toContain(path);
      }
    });
  });

  describe('POST dlq/replay', () => {
    it('puts one job back to queued, keeps its runs, pins the config version, writes an event and an audit row, and enqueues it', async () => {
      const w = await createTestWorkspace(t.app);
      const configs = dataSource.getRepository(ConfigEntity);
      await configs.save(configs.create({ workspaceId: w.id, name: 'pricing', version: 'v7', data: {}, checksum: 'x', createdBy: 'test' }));
      const job = await addJob(w.id, { attempts: 3, maxAttempts: 3 });

      // The event is also announced over Redis for exec-api's SSE streams.
      const subscriber = new Redis(redisConnectionOptions(TEST_REDIS_URL));
      const announced = new Promise<unknown>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(JSON.parse(message))));
      await subscriber.subscribe(`${t.config.REDIS_KEY_PREFIX}${eventsChannel(w.id)}`);

      const res = await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: job.id, config_version: 'v7', reason: 'upstream fixed' }).expect(200);
      expect(res.body).toEqual({ replayed: 1, job_ids: [job.id], enqueue_failed: 0 });
      try {
        expect(await announced).toEqual([expect.objectContaining({ type: 'job.replayed', job_id: job.id, data: { config_version: 'v7' } })]);
      } finally {
        subscriber.disconnect();
      }

      // attempts kept (the next run is attempt 4); a fresh budget from the default policy (3).
      expect(await jobRow(job.id)).toMatchObject({ status: 'queued', attempts: 3, maxAttempts: 6, error: null, delayUntil: null, finishedAt: null, configVersion: 'v7' });
      expect((await runsOf(job.id)).map((run) => run.attempt)).toEqual([1, 2, 3]);
      expect(await eventsOf(job.id, 'job.replayed')).toEqual([expect.objectContaining({ workspaceId: w.id, data: { config_version: 'v7' } })]);
      const audits = await auditsOf(w.id, 'dlq.replay');
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ reason: 'upstream fixed', actorId: admin.id, targetType: 'job', targetId: job.id, after: { count: 1, job_ids: [job.id], job_id: job.id, config_version: 'v7' } });

      const entry = await queue.getJob(job.id);
      expect(entry?.data).toEqual({ job_id: job.id, workspace_id: w.id, trace_context: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });

      // Visible through the jobs view too.
      const detail = await request(t.server).get(`${ws(w.id)}/jobs/${job.id}`).set(bearer(admin.token)).expect(200);
      expect(detail.body).toMatchObject({ status: 'queued', attempts: 3, max_attempts: 6, error: null, config_version: 'v7' });
      expect(detail.body.runs).toHaveLength(3);
    });

    it("grants the connector's policy budget: max_attempts = attempts + retry.max_attempts", async () => {
      const w = await createTestWorkspace(t.app);
      const policies = dataSource.getRepository(PolicyEntity);
      const policy = await policies.save(
        policies.create({ workspaceId: w.id, name: 'patient', timeout: DEFAULT_POLICY.timeout, retry: { ...DEFAULT_POLICY.retry, max_attempts: 5 }, circuitBreaker: DEFAULT_POLICY.circuit_breaker, rateLimit: DEFAULT_POLICY.rate_limit, degradation: 'fail_fast' }),
      );
      const connectors = dataSource.getRepository(ConnectorEntity);
      await connectors.save(connectors.create({ workspaceId: w.id, name: 'billing', type: 'http', config: { base_url: 'https://api.example.test', operations: [] }, policyId: policy.id }));
      const job = await addJob(w.id, { attempts: 2, maxAttempts: 2 });
      await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: job.id, reason: 'r' }).expect(200);
      expect(await jobRow(job.id)).toMatchObject({ status: 'queued', attempts: 2, maxAttempts: 7 });
    });

    it('answers 409 for a single job that is not dead_lettered (a second replay included), 404 for an unknown one', async () => {
      const w = await createTestWorkspace(t.app);
      const running = await addJob(w.id, { status: 'running', attempts: 1 });
      const dead = await addJob(w.id);
      expectError((await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: running.id, reason: 'r' }).expect(409)).body, 'CONFLICT');
      await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: dead.id, reason: 'r' }).expect(200);
      expectError((await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: dead.id, reason: 'r' }).expect(409)).body, 'CONFLICT');
      expectError((await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: UNKNOWN_ID, reason: 'r' }).expect(404)).body, 'NOT_FOUND');
      expect(await jobRow(running.id)).toMatchObject({ status: 'running', attempts: 1 });
      expect(await eventsOf(dead.id, 'job.replayed')).toHaveLength(1);
      // Refused calls write no audit row: only the one replay that happened.
      expect(await auditsOf(w.id, 'dlq.replay')).toHaveLength(1);
    });

    it('replays by filter, skipping jobs that are not dead_lettered, up to limit, one audit row per call', async () => {
      const w = await createTestWorkspace(t.app);
      const dead = [
        await addJob(w.id, { connector: 'billing', finishedAt: new Date(Date.now() - 3000) }),
        await addJob(w.id, { connector: 'billing', finishedAt: new Date(Date.now() - 2000) }),
        await addJob(w.id, { connector: 'billing', finishedAt: new Date(Date.now() - 1000) }),
      ];
      const other = await addJob(w.id, { connector: 'mailer' });
      const succeeded = await addJob(w.id, { connector: 'billing', status: 'succeeded', attempts: 1 });

      const first = await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(support.token)).send({ filter: { connector: 'billing' }, limit: 2, reason: 'batch 1' }).expect(200);
      // Oldest dead-lettered first.
      expect(first.body).toEqual({ replayed: 2, job_ids: expect.arrayContaining([dead[0].id, dead[1].id]), enqueue_failed: 0 });
      const second = await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(support.token)).send({ filter: { connector: 'billing' }, reason: 'batch 2' }).expect(200);
      expect(second.body).toEqual({ replayed: 1, job_ids: [dead[2].id], enqueue_failed: 0 });

      expect((await jobRow(succeeded.id))?.status).toBe('succeeded');
      expect((await jobRow(other.id))?.status).toBe('dead_lettered');
      for (const job of dead) {
        expect((await jobRow(job.id))?.status).toBe('queued');
        expect(await queue.getJob(job.id)).toBeDefined();
      }
      const audits = await auditsOf(w.id, 'dlq.replay');
      expect(audits.map((audit) => [audit.reason, (audit.after as { count: number }).count])).toEqual([
        ['batch 1', 2],
        ['batch 2', 1],
      ]);
      expect(audits[0].after).toMatchObject({ filter: { connector: 'billing' }, limit: 2 });
    });

    it('replays each job once when replays race', async () => {
      const w = await createTestWorkspace(t.app);
      const jobs = await Promise.all(Array.from({ length: 6 }, () => addJob(w.id)));
      const calls = [
        ...Array.from({ length: 3 }, () => request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ filter: {}, reason: 'race' })),
        request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: jobs[0].id, reason: 'race' }),
      ];
      const results = await Promise.all(calls);
      const replayedIds = results.filter((res) => res.status === 200).flatMap((res) => res.body.job_ids as string[]);
      expect(replayedIds.sort()).toEqual(jobs.map((job) => job.id).sort());
      for (const res of results) expect([200, 409]).toContain(res.status);
      for (const job of jobs) expect(await eventsOf(job.id, 'job.replayed')).toHaveLength(1);
    });

    it('needs a reason (400 REASON_REQUIRED) and a valid body (400 with paths); writes nothing then', async () => {
      const w = await createTestWorkspace(t.app);
      const job = await addJob(w.id);
      expectError((await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: job.id }).expect(400)).body, 'REASON_REQUIRED');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, '/job_id'],
        [{ job_id: job.id, filter: {} }, '/job_id'],
        [{ job_id: 'not-a-uuid' }, '/job_id'],
        [{ job_id: job.id, limit: 5 }, '/limit'],
        [{ filter: { after: 'yesterday' } }, '/filter/after'],
        [{ filter: { before: 42 } }, '/filter/before'],
        [{ filter: { status: 'failed' } }, '/filter/status'],
        [{ filter: { after: '2026-01-02T00:00:00Z', before: '2026-01-01T00:00:00Z' } }, '/filter/before'],
        [{ filter: 'billing' }, '/filter'],
        [{ filter: {}, limit: 1001 }, '/limit'],
        [{ filter: {}, limit: 0 }, '/limit'],
        [{ job_id: job.id, config_version: 'no spaces allowed' }, '/config_version'],
        [{ job_id: job.id, config_version: 'v404' }, '/config_version'],
        [{ job_id: job.id, attempts: 0 }, '/attempts'],
      ];
      for (const [body, path] of cases) {
        const res = await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ ...body, reason: 'r' }).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(pathsOf(res.body)).toContain(path);
      }
      expect((await jobRow(job.id))?.status).toBe('dead_lettered');
      expect(await auditsOf(w.id, 'dlq.replay')).toHaveLength(0);
      expect(await eventsOf(job.id, 'job.replayed')).toHaveLength(0);
    });
  });

  describe('DELETE dlq', () => {
    it('purges one job with its runs, writes job.purged and an audit row; the reason may come as X-Reason', async () => {
      const w = await createTestWorkspace(t.app);
      const job = await addJob(w.id);
      const keep = await addJob(w.id);
      expectError((await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).send({ job_id: job.id }).expect(400)).body, 'REASON_REQUIRED');

      const res = await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).set('X-Reason', 'customer asked').send({ job_id: job.id }).expect(200);
      expect(res.body).toEqual({ purged: 1, job_ids: [job.id] });
      expect(await jobRow(job.id)).toBeNull();
      expect(await runsOf(job.id)).toHaveLength(0);
      expect(await runsOf(keep.id)).toHaveLength(3);
      expect(await eventsOf(job.id, 'job.purged')).toEqual([expect.objectContaining({ workspaceId: w.id, data: { connector: 'billing', operation: 'charge' } })]);
      const audits = await auditsOf(w.id, 'dlq.purge');
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ reason: 'customer asked', actorId: admin.id, targetId: job.id, after: { count: 1, job_ids: [job.id] } });

      expectError((await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).send({ job_id: job.id, reason: 'again' }).expect(404)).body, 'NOT_FOUND');
      const queued = await addJob(w.id, { status: 'queued', attempts: 0 });
      expectError((await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).send({ job_id: queued.id, reason: 'r' }).expect(409)).body, 'CONFLICT');
      expect((await jobRow(queued.id))?.status).toBe('queued');
    });

    it('purges by filter only dead-lettered jobs of the filter', async () => {
      const w = await createTestWorkspace(t.app);
      const timeouts = [await addJob(w.id, { errorCode: 'UPSTREAM_TIMEOUT' }), await addJob(w.id, { errorCode: 'UPSTREAM_TIMEOUT' })];
      const other = await addJob(w.id, { errorCode: 'UPSTREAM_ERROR' });
      const running = await addJob(w.id, { status: 'running', attempts: 1 });
      const res = await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).send({ filter: { error_code: 'UPSTREAM_TIMEOUT' }, reason: 'stale timeouts' }).expect(200);
      expect(res.body).toEqual({ purged: 2, job_ids: expect.arrayContaining(timeouts.map((job) => job.id)) });
      for (const job of timeouts) expect(await jobRow(job.id)).toBeNull();
      expect((await jobRow(other.id))?.status).toBe('dead_lettered');
      expect((await jobRow(running.id))?.status).toBe('running');

      for (const [body, path] of [
        [{}, '/job_id'],
        [{ filter: { before: 'tomorrow' } }, '/filter/before'],
        [{ filter: {}, limit: 5000 }, '/limit'],
      ] as Array<[Record<string, unknown>, string]>) {
        const bad = await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).send({ ...body, reason: 'r' }).expect(400);
        expect(pathsOf(bad.body)).toContain(path);
      }
      expect(await auditsOf(w.id, 'dlq.purge')).toHaveLength(1);
    });
  });

  describe('GET events', () => {
    it("lists the workspace's events oldest first with type, job_id, after and limit; never another workspace's", async () => {
      const w = await createTestWorkspace(t.app);
      const other = await createTestWorkspace(t.app);
      const [one, two] = [await addJob(w.id), await addJob(w.id)];
      const foreign = await addJob(other.id);
      await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: one.id, reason: 'r' }).expect(200);
      await request(t.server).delete(`${ws(w.id)}/dlq`).set(bearer(admin.token)).send({ job_id: two.id, reason: 'r' }).expect(200);
      await request(t.server).post(`${ws(other.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: foreign.id, reason: 'r' }).expect(200);

      const all = await request(t.server).get(`${ws(w.id)}/events`).set(bearer(auditor.token)).expect(200);
      expect(all.body.data.map((event: { type: string; job_id: string }) => [event.type, event.job_id])).toEqual([
        ['job.replayed', one.id],
        ['job.purged', two.id],
      ]);
      expect(all.body.data[0]).toEqual({ id: expect.stringMatching(/^[0-9]+$/), type: 'job.replayed', job_id: one.id, execution_id: null, data: {}, created_at: expect.any(String) });
      expect(all.body.next_after).toBeNull();

      const types = async (query: string) => (await request(t.server).get(`${ws(w.id)}/events?${query}`).set(bearer(admin.token)).expect(200)).body.data.map((event: { type: string }) => event.type);
      expect(await types('type=job.purged')).toEqual(['job.purged']);
      expect(await types('type=job.*')).toEqual(['job.replayed', 'job.purged']);
      expect(await types('type=run.*,job.replayed')).toEqual(['job.replayed']);
      expect(await types(`job_id=${one.id}`)).toEqual(['job.replayed']);
      expect(await types(`after=${all.body.data[0].id}`)).toEqual(['job.purged']);
      const page = await request(t.server).get(`${ws(w.id)}/events?limit=1`).set(bearer(admin.token)).expect(200);
      expect(page.body).toEqual({ data: [expect.objectContaining({ type: 'job.replayed' })], next_after: all.body.data[0].id });

      for (const [query, path] of [
        ['type=job.exploded', '/type'],
        ['job_id=nope', '/job_id'],
        ['after=abc', '/after'],
        ['execution_id=nope', '/execution_id'],
        ['limit=501', '/limit'],
      ]) {
        const res = await request(t.server).get(`${ws(w.id)}/events?${query}`).set(bearer(admin.token)).expect(400);
        expect(pathsOf(res.body)).toContain(path);
      }
    });
  });
  // Last: it closes the app's queue connection.
  describe('when the queue cannot be reached', () => {
    it('still replays: the rows stay queued for the sweeper and enqueue_failed counts them', async () => {
      const w = await createTestWorkspace(t.app);
      const job = await addJob(w.id);
      await t.app.get(JobQueue).jobs.close();
      const res = await request(t.server).post(`${ws(w.id)}/dlq/replay`).set(bearer(admin.token)).send({ job_id: job.id, reason: 'redis is flaky' }).expect(200);
      expect(res.body).toEqual({ replayed: 1, job_ids: [job.id], enqueue_failed: 1 });
      expect((await jobRow(job.id))?.status).toBe('queued');
      expect(await queue.getJob(job.id)).toBeUndefined();
      expect(await auditsOf(w.id, 'dlq.replay')).toHaveLength(1);
    });
  });
});
