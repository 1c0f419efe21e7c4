import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource, type Repository } from 'typeorm';
import { bullPrefix, type JobQueueData, QUEUES } from '@orch/contracts';
import { EventLogEntity, JobEntity, RunEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { redisConnectionOptions } from '@orch/platform';
import { ScratchRedis, TEST_REDIS_URL } from '@orch/testing';
import { closeSettled, eventually, ExecStack, type TestWorkspace } from './support/exec-stack';
import { MAX_SUBMISSION_BATCH } from '../src/jobs/jobs.repository';

/** A fresh key per test, so tests never see each other's stored responses. */
function newKey(label: string): string {
  return `${label}-${randomBytes(8).toString('hex')}`;
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Repository handles and request helpers over one stack. */
function helpers(stack: ExecStack) {
  const dataSource = stack.exec.app.get(DataSource);
  return {
    jobs: dataSource.getRepository(JobEntity) as Repository<JobEntity>,
    runs: dataSource.getRepository(RunEntity) as Repository<RunEntity>,
    events: dataSource.getRepository(EventLogEntity) as Repository<EventLogEntity>,
    post: (token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      request(stack.exec.server).post('/v1/jobs').set('authorization', `Bearer ${token}`).set(headers).send(body),
    get: (token: string, path: string) => request(stack.exec.server).get(path).set('authorization', `Bearer ${token}`),
    cancel: (token: string, id: string) => request(stack.exec.server).post(`/v1/jobs/${id}/cancel`).set('authorization', `Bearer ${token}`).send(),
  };
}

/** POST/GET/cancel /v1/jobs against the API alone (no worker runs here): rows, queue entries, validation, idempotency, lists, cancel, quota. */
describe('/v1/jobs', () => {
  let stack: ExecStack;
  let h: ReturnType<typeof helpers>;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let tokenA: string;
  let tokenB: string;
  let connector: string;
  let queue: Queue<JobQueueData>;

  const body = (overrides: Record<string, unknown> = {}) => ({ connector, operation: 'create_thing', payload: { name: 'widget' }, ...overrides });

  beforeAll(async () => {
    stack = await ExecStack.start();
    h = helpers(stack);
    a = await stack.workspace();
    b = await stack.workspace();
    await stack.setQuotas(a.ws.id, { rps: 10_000, concurrency: 100, queue_depth: 10_000 });
    tokenA = await a.token(['jobs:write', 'jobs:read']);
    tokenB = await b.token(['jobs:write', 'jobs:read']);
    ({ connector } = await stack.httpConnector(a.ws.id, { name: 'things' }));
    await stack.httpConnector(b.ws.id, { name: 'things' });
    queue = new Queue<JobQueueData>(QUEUES.jobs, { connection: redisConnectionOptions(TEST_REDIS_URL), prefix: bullPrefix(stack.redis.prefix) });
  });
  afterAll(async () => {
    await queue?.close();
    await closeSettled(stack);
  });

  describe('POST /v1/jobs', () => {
    it('stores a queued job, enqueues it with the job id as BullMQ id and answers 202 with the job', async () => {
      const before = Date.now();
      const res = await h.post(tokenA, body({ callback_url: 'http://127.0.0.1:9/hooks' }), { traceparent: TRACEPARENT, tracestate: 'vendor=1' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'queued',
        connector: 'things',
        operation: 'create_thing',
        attempts: 0,
        max_attempts: 3,
        cancel_requested: false,
        config_version: null,
        callback_url: 'http://127.0.0.1:9/hooks',
        callback: { url: 'http://127.0.0.1:9/hooks', status: null, attempts: 0 },
        run_at: res.body.created_at,
        output: null,
        error: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
        started_at: null,
        finished_at: null,
        runs: [],
      });
      expect(Date.parse(res.body.created_at)).toBeGreaterThanOrEqual(before - 1000);

      const row = await h.jobs.findOneByOrFail({ id: res.body.id });
      expect(row).toMatchObject({
        workspaceId: a.ws.id,
        connector: 'things',
        operation: 'create_thing',
        payload: { name: 'widget' },
        status: 'queued',
        attempts: 0,
        maxAttempts: 3,
        callbackUrl: 'http://127.0.0.1:9/hooks',
        delayUntil: null,
        traceContext: { traceparent: TRACEPARENT, tracestate: 'vendor=1' },
        idempotencyKey: null,
      });
      expect(row.connectorId).toEqual(expect.any(String));

      const entry = await queue.getJob(res.body.id);
      expect(entry?.id).toBe(res.body.id);
      expect(entry?.data).toEqual({ job_id: res.body.id, workspace_id: a.ws.id, trace_context: { traceparent: TRACEPARENT, tracestate: 'vendor=1' } });
      await eventually(async () => {
        expect(await h.events.findOneBy({ jobId: res.body.id, type: 'job.queued' })).toMatchObject({ workspaceId: a.ws.id, data: { connector: 'things', operation: 'create_thing', max_attempts: 3 } });
      });
    });

    it('delays the job by delay_ms: run_at, delay_until and a delayed queue entry', async () => {
      const res = await h.post(tokenA, body({ delay_ms: 60_000, max_attempts: 7 })).expect(202);
      const runAt = Date.parse(res.body.run_at);
      expect(runAt - Date.parse(res.body.created_at)).toBeGreaterThanOrEqual(59_000);
      expect(runAt - Date.parse(res.body.created_at)).toBeLessThanOrEqual(61_000);
      expect(res.body.max_attempts).toBe(7);
      const row = await h.jobs.findOneByOrFail({ id: res.body.id });
      expect(row.delayUntil?.toISOString()).toBe(res.body.run_at);
      expect(row.maxAttempts).toBe(7);
      expect(await queue.getJobState(res.body.id)).toBe('delayed');
    });

    it('ignores a malformed traceparent (no trace context stored)', async () => {
      const res = await h.post(tokenA, body(), { traceparent: 'not-a-trace' }).expect(202);
      expect((await h.jobs.findOneByOrFail({ id: res.body.id })).traceContext).toBeNull();
    });

    it('refuses a missing token (401) and tokens without jobs:write (403)', async () => {
      const none = await request(stack.exec.server).post('/v1/jobs').send(body());
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('UNAUTHENTICATED');
      for (const scopes of [['execute'], ['jobs:read']] as const) {
        const res = await h.post(await a.token([...scopes]), body());
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
    });

    it('answers 400 with a path per invalid field and stores nothing', async () => {
      const countBefore = await h.jobs.countBy({ workspaceId: a.ws.id });
      const res = await h.post(tokenA, { connector: 7, operation: 'Bad-Op', payload: 'x', callback_url: 'ftp://example.com/x', delay_ms: -1, max_attempts: 21, extra: true });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const paths = new Set((res.body.error.details as Array<{ path: string }>).map((d) => d.path));
      expect([...paths].sort()).toEqual(['/callback_url', '/connector', '/delay_ms', '/extra', '/max_attempts', '/operation', '/payload']);

      const limits = await h.post(tokenA, body({ delay_ms: 7 * 24 * 3600 * 1000 + 1, max_attempts: 0, callback_url: `https://example.com/${'a'.repeat(2048)}` }));
      expect(limits.status).toBe(400);
      expect((limits.body.error.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual(['/callback_url', '/delay_ms', '/max_attempts']);

      const relative = await h.post(tokenA, body({ callback_url: '/hooks' }));
      expect(relative.status).toBe(400);
      expect(relative.body.error.details).toEqual([expect.objectContaining({ path: '/callback_url' })]);
      expect(await h.jobs.countBy({ workspaceId: a.ws.id })).toBe(countBefore);
    });

    it('validates like /v1/execute: 404 unknown connector or operation, 400 at /payload/… for the payload schema', async () => {
      const unknownConnector = await h.post(tokenA, body({ connector: 'nope' }));
      expect(unknownConnector.status).toBe(404);
      expect(unknownConnector.body.error.code).toBe('NOT_FOUND');
      const unknownOperation = await h.post(tokenA, body({ operation: 'delete_thing' }));
      expect(unknownOperation.status).toBe(404);
      const badPayload = await h.post(tokenA, body({ payload: { name: 42 } }));
      expect(badPayload.status).toBe(400);
      expect(badPayload.body.error.details).toEqual([expect.objectContaining({ path: '/payload/name' })]);
    });

    it('keeps each submission’s own values when concurrent ones with different fields share a batch', async () => {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          h.post(tokenA, body(i % 3 === 0 ? { callback_url: `http://127.0.0.1:9/hooks/${i}`, delay_ms: 60_000, max_attempts: 5 } : i % 3 === 1 ? { max_attempts: 2 } : {}), i % 2 === 0 ? { traceparent: TRACEPARENT } : {}),
        ),
      );
      expect(answers.map((res) => res.status)).toEqual(Array.from({ length: 12 }, () => 202));
      for (const [i, res] of answers.entries()) {
        const row = await h.jobs.findOneByOrFail({ id: res.body.id });
        expect(row.callbackUrl).toBe(i % 3 === 0 ? `http://127.0.0.1:9/hooks/${i}` : null);
        expect(row.maxAttempts).toBe(i % 3 === 0 ? 5 : i % 3 === 1 ? 2 : 3);
        expect(row.delayUntil === null).toBe(i % 3 !== 0);
        expect(row.traceContext === null).toBe(i % 2 !== 0);
        expect(row.payload).toEqual({ name: 'widget' });
      }
    });

    it('refuses a callback_url to an address the egress guard blocks (metadata 169.254.169.254) with 400 at /callback_url', async () => {
      const countBefore = await h.jobs.countBy({ workspaceId: a.ws.id });
      const res = await h.post(tokenA, body({ callback_url: 'http://169.254.169.254/latest/meta-data' }));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: '/callback_url', message: expect.stringContaining('not allowed') }] });
      expect(await h.jobs.countBy({ workspaceId: a.ws.id })).toBe(countBefore);
    });
  });

  describe('Idempotency-Key', () => {
    it('creates one job for a key and replays the first 202 with Idempotent-Replayed: true', async () => {
      const key = newKey('once');
      const first = await h.post(tokenA, body(), { 'Idempotency-Key': key }).expect(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const replay = await h.post(tokenA, body(), { 'Idempotency-Key': key });
      expect(replay.status).toBe(202);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(await h.jobs.findBy({ workspaceId: a.ws.id, idempotencyKey: key })).toEqual([expect.objectContaining({ id: first.body.id })]);
    });

    it('refuses the same key with another body (422 IDEMPOTENCY_KEY_REUSED)', async () => {
      const key = newKey('reuse');
      await h.post(tokenA, body(), { 'Idempotency-Key': key }).expect(202);
      const other = await h.post(tokenA, body({ payload: { name: 'other' } }), { 'Idempotency-Key': key });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await h.jobs.countBy({ workspaceId: a.ws.id, idempotencyKey: key })).toBe(1);
    });

    it('creates exactly one job for 20 concurrent requests with one key (the others replay or get 409)', async () => {
      const key = newKey('burst');
      const answers = await Promise.all(Array.from({ length: 20 }, () => h.post(tokenA, body(), { 'Idempotency-Key': key }).then((res) => res)));
      const rows = await h.jobs.findBy({ workspaceId: a.ws.id, idempotencyKey: key });
      expect(rows).toHaveLength(1);
      const originals = answers.filter((res) => res.status === 202 && res.headers['idempotent-replayed'] === undefined);
      expect(originals).toHaveLength(1);
      for (const res of answers) {
        if (res.status === 202) expect(res.body.id).toBe(rows[0]?.id);
        else expect(res.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      }
    });

    it('stores nothing for a request that fails validation: the key stays usable', async () => {
      const key = newKey('invalid');
      await h.post(tokenA, body({ connector: 'nope' }), { 'Idempotency-Key': key }).expect(404);
      const ok = await h.post(tokenA, body({ connector: 'nope' }), { 'Idempotency-Key': key });
      expect(ok.status).toBe(404);
      expect(ok.headers['idempotent-replayed']).toBeUndefined();
      // Another body with the same key is not a reuse: nothing was stored.
      await h.post(tokenA, body(), { 'Idempotency-Key': key }).expect(202);
    });

    it('keys jobs apart from /v1/execute and from other workspaces', async () => {
      const key = newKey('scope');
      const inA = await h.post(tokenA, body(), { 'Idempotency-Key': key }).expect(202);
      const inB = await h.post(tokenB, body(), { 'Idempotency-Key': key }).expect(202);
      expect(inB.body.id).not.toBe(inA.body.id);
      expect(inB.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('GET /v1/jobs/:id', () => {
    it('returns the job with its runs ordered by attempt', async () => {
      const created = await h.post(tokenA, body({ callback_url: 'https://example.com/cb' })).expect(202);
      const id = created.body.id as string;
      const started = new Date(Date.now() - 5000);
      // Written the way the worker will: attempt 2 inserted first to prove the ordering.
      await h.runs.insert([
        { workspaceId: a.ws.id, jobId: id, attempt: 2, status: 'succeeded', startedAt: new Date(started.getTime() + 2000), finishedAt: new Date(started.getTime() + 2100), upstreamStatus: 200, durationMs: 100, error: null },
        { workspaceId: a.ws.id, jobId: id, attempt: 1, status: 'failed', startedAt: started, finishedAt: new Date(started.getTime() + 50), upstreamStatus: 503, durationMs: 50, error: { code: 'UPSTREAM_ERROR', message: 'upstream answered 503' } },
      ]);
      await h.jobs.update({ id }, { status: 'succeeded', attempts: 2, output: { id: 't1' }, callbackStatus: 'delivered', callbackAttempts: 1, finishedAt: new Date() });

      const res = await h.get(tokenA, `/v1/jobs/${id}`).expect(200);
      expect(res.body).toMatchObject({ id, status: 'succeeded', attempts: 2, max_attempts: 3, output: { id: 't1' }, error: null, callback: { url: 'https://example.com/cb', status: 'delivered', attempts: 1 } });
      expect(res.body.runs).toEqual([
        { attempt: 1, status: 'failed', started_at: started.toISOString(), finished_at: new Date(started.getTime() + 50).toISOString(), duration_ms: 50, upstream_status: 503, error: { code: 'UPSTREAM_ERROR', message: 'upstream answered 503' } },
        { attempt: 2, status: 'succeeded', started_at: new Date(started.getTime() + 2000).toISOString(), finished_at: new Date(started.getTime() + 2100).toISOString(), duration_ms: 100, upstream_status: 200, error: null },
      ]);
      expect(res.body.finished_at).toEqual(expect.any(String));
    });

    it('answers 404 for another workspace’s job, an unknown id and a non-UUID id; 403 without jobs:read', async () => {
      const created = await h.post(tokenA, body()).expect(202);
      const other = await h.get(tokenB, `/v1/jobs/${created.body.id}`);
      expect(other.status).toBe(404);
      expect(other.body.error.code).toBe('NOT_FOUND');
      await h.get(tokenA, '/v1/jobs/00000000-0000-4000-8000-000000000000').expect(404);
      await h.get(tokenA, '/v1/jobs/not-a-uuid').expect(404);
      const writeOnly = await a.token(['jobs:write']);
      expect((await h.get(writeOnly, `/v1/jobs/${created.body.id}`)).status).toBe(403);
    });
  });

  describe('GET /v1/jobs', () => {
    let c: TestWorkspace;
    let tokenC: string;
    let ids: string[];

    beforeAll(async () => {
      c = await stack.workspace();
      await stack.setQuotas(c.ws.id, { rps: 10_000, concurrency: 100, queue_depth: 10_000 });
      tokenC = await c.token(['jobs:write', 'jobs:read']);
      await stack.httpConnector(c.ws.id, { name: 'things' });
      await stack.httpConnector(c.ws.id, { name: 'others' });
      ids = [];
      // Sequential: distinct created_at in submission order (ties are broken by id anyway).
      for (let i = 0; i < 25; i++) {
        const res = await h.post(tokenC, { connector: i % 5 === 0 ? 'others' : 'things', operation: 'get_thing', payload: { id: String(i) } }).expect(202);
        ids.push(res.body.id as string);
      }
    });

    it('pages newest first without duplicates or gaps (limit 10: 10 + 10 + 5)', async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const path = `/v1/jobs?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: request.Response = await h.get(tokenC, path).expect(200);
        sizes.push(page.body.data.length);
        seen.push(...(page.body.data as Array<{ id: string }>).map((job) => job.id));
        cursor = page.body.next_cursor;
      } while (cursor !== null);
      expect(sizes).toEqual([10, 10, 5]);
      expect(new Set(seen).size).toBe(25);
      const rows = await h.jobs.find({ where: { workspaceId: c.ws.id }, order: { createdAt: 'DESC', id: 'DESC' } });
      expect(seen).toEqual(rows.map((row) => row.id));
      expect(new Set(seen)).toEqual(new Set(ids));
    });

    it('defaults to 20 per page and never shows another workspace’s jobs', async () => {
      const page = await h.get(tokenC, '/v1/jobs').expect(200);
      expect(page.body.data).toHaveLength(20);
      expect(page.body.next_cursor).toEqual(expect.any(String));
      expect(page.body.data[0]).not.toHaveProperty('runs');
      const inB = await h.get(tokenB, '/v1/jobs?limit=100').expect(200);
      expect((inB.body.data as Array<{ id: string }>).some((job) => ids.includes(job.id))).toBe(false);
    });

    it('filters by status, connector and creation time', async () => {
      await h.cancel(tokenC, ids[3] as string).expect(200);
      const cancelled = await h.get(tokenC, '/v1/jobs?status=cancelled').expect(200);
      expect(cancelled.body.data.map((job: { id: string }) => job.id)).toEqual([ids[3]]);

      const others = await h.get(tokenC, '/v1/jobs?connector=others&limit=100').expect(200);
      expect(others.body.data.map((job: { id: string }) => job.id).sort()).toEqual([ids[0], ids[5], ids[10], ids[15], ids[20]].sort());

      const rows = await h.jobs.find({ where: { workspaceId: c.ws.id }, order: { createdAt: 'ASC', id: 'ASC' } });
      const pivot = rows[12] as JobEntity;
      const after = await h.get(tokenC, `/v1/jobs?limit=100&created_after=${pivot.createdAt.toISOString()}`).expect(200);
      // Both bounds inclusive, as on control-api.
      expect((after.body.data as Array<{ created_at: string }>).every((job) => Date.parse(job.created_at) >= pivot.createdAt.getTime())).toBe(true);
      const before = await h.get(tokenC, `/v1/jobs?limit=100&created_before=${pivot.createdAt.toISOString()}`).expect(200);
      expect((before.body.data as Array<{ created_at: string }>).every((job) => Date.parse(job.created_at) <= pivot.createdAt.getTime())).toBe(true);
      const equal = rows.filter((row) => row.createdAt.getTime() === pivot.createdAt.getTime()).length;
      expect(after.body.data.length + before.body.data.length - equal).toBe(25);
      expect(after.body.data.map((job: { id: string }) => job.id)).toContain(pivot.id);
      expect(before.body.data.map((job: { id: string }) => job.id)).toContain(pivot.id);
    });

    it('answers 400 with the path of an invalid filter, limit or cursor', async () => {
      const cases: Array<[string, string]> = [
        ['status=finished', '/status'],
        ['created_after=yesterday', '/created_after'],
        ['created_before=2026-13-01T00:00:00Z', '/created_before'],
        ['limit=0', '/limit'],
        ['limit=101', '/limit'],
        ['limit=ten', '/limit'],
        ['cursor=bm90LWEtY3Vyc29y', '/cursor'],
        ['unknown=1', '/unknown'],
      ];
      for (const [query, path] of cases) {
        const res = await h.get(tokenC, `/v1/jobs?${query}`);
        expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
        expect((res.body.error.details as Array<{ path: string }>).map((d) => d.path)).toContain(path);
      }
    });
  });

  describe('POST /v1/jobs/:id/cancel', () => {
    it('cancels a queued job (200, finished_at, event) and removes its queue entry; a second cancel is 409', async () => {
      const created = await h.post(tokenA, body({ delay_ms: 60_000 })).expect(202);
      const id = created.body.id as string;
      expect(await queue.getJob(id)).toBeDefined();

      const res = await h.cancel(tokenA, id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, status: 'cancelled', cancel_requested: false, finished_at: expect.any(String), runs: [] });
      expect(await h.jobs.findOneByOrFail({ id })).toMatchObject({ status: 'cancelled', finishedAt: expect.any(Date) });
      expect(await queue.getJob(id)).toBeUndefined();
      await eventually(async () => {
        expect(await h.events.findOneBy({ jobId: id, type: 'job.cancelled' })).toMatchObject({ data: { previous_status: 'queued' } });
      });

      const again = await h.cancel(tokenA, id);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { status: 'cancelled' } });
    });

    it('flags a running job cancel_requested (202) and leaves it running for the worker to stop', async () => {
      const created = await h.post(tokenA, body()).expect(202);
      const id = created.body.id as string;
      await h.jobs.update({ id }, { status: 'running', attempts: 1, startedAt: new Date() });

      const res = await h.cancel(tokenA, id);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id, status: 'running', cancel_requested: true, finished_at: null });
      expect(await h.jobs.findOneByOrFail({ id })).toMatchObject({ status: 'running', cancelRequested: true });
      // Asking again answers the same and writes no second event.
      await h.cancel(tokenA, id).expect(202);
      await eventually(async () => {
        expect(await h.events.countBy({ jobId: id, type: 'job.cancel_requested' })).toBe(1);
      });
    });

    it('answers 409 for every terminal state', async () => {
      for (const status of ['succeeded', 'failed', 'dead_lettered'] as const) {
        const created = await h.post(tokenA, body()).expect(202);
        await h.jobs.update({ id: created.body.id }, { status, finishedAt: new Date() });
        const res = await h.cancel(tokenA, created.body.id);
        expect({ status, code: res.status }).toEqual({ status, code: 409 });
      }
    });

    it('answers 404 for another workspace’s job and a non-UUID id, 403 without jobs:write', async () => {
      const created = await h.post(tokenA, body()).expect(202);
      await h.cancel(tokenB, created.body.id).expect(404);
      await h.cancel(tokenA, 'nope').expect(404);
      const readOnly = await a.token(['jobs:read']);
      await h.cancel(readOnly, created.body.id).expect(403);
      expect((await h.jobs.findOneByOrFail({ id: created.body.id })).status).toBe('queued');
    });
  });

  describe('OpenAPI', () => {
    it('documents the four routes with their request and response schemas', async () => {
      const doc = (await request(stack.exec.server).get('/docs-json').expect(200)).body;
      expect(Object.keys(doc.paths['/v1/jobs'] ?? {}).sort()).toEqual(['get', 'post']);
      expect(doc.paths['/v1/jobs'].post.responses['202']).toBeDefined();
      expect(doc.paths['/v1/jobs/{id}'].get.responses['200']).toBeDefined();
      expect(Object.keys(doc.paths['/v1/jobs/{id}/cancel'].post.responses).sort()).toEqual(expect.arrayContaining(['200', '202']));
      expect(Object.keys(doc.components.schemas.CreateJobRequestDto.properties).sort()).toEqual(['callback_url', 'connector', 'delay_ms', 'max_attempts', 'operation', 'payload']);
      expect(doc.components.schemas.JobDetailResponseDto).toBeDefined();
    });
  });

  describe('queue-depth quota', () => {
    it('refuses the job beyond queue_depth queued or running jobs with 429 QUOTA_EXCEEDED and Retry-After', async () => {
      const d = await stack.workspace();
      await stack.setQuotas(d.ws.id, { queue_depth: 3 });
      await stack.httpConnector(d.ws.id, { name: 'things' });
      const token = await d.token(['jobs:write', 'jobs:read']);
      const first = await h.post(token, body()).expect(202);
      await h.post(token, body()).expect(202);
      const third = await h.post(token, body()).expect(202);
      // A running job counts too.
      await h.jobs.update({ id: third.body.id }, { status: 'running' });

      const refused = await h.post(token, body(), { 'Idempotency-Key': newKey('full') });
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'queue_depth', limit: 3 } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(await h.jobs.countBy({ workspaceId: d.ws.id })).toBe(3);

      // A finished job frees its slot.
      await h.cancel(token, first.body.id).expect(200);
      await h.post(token, body()).expect(202);
    });

    it('does not overshoot under concurrent submissions', async () => {
      const e = await stack.workspace();
      await stack.setQuotas(e.ws.id, { queue_depth: 5 });
      await stack.httpConnector(e.ws.id, { name: 'things' });
      const token = await e.token(['jobs:write']);
      const answers = await Promise.all(Array.from({ length: 15 }, () => h.post(token, body()).then((res) => res)));
      expect(answers.filter((res) => res.status === 202)).toHaveLength(5);
      expect(answers.filter((res) => res.status === 429)).toHaveLength(10);
      expect(await h.jobs.countBy({ workspaceId: e.ws.id })).toBe(5);
    });

    it('stays exact when concurrent submissions move from the shared-lock path to the exclusive one', async () => {
      // Far from the limit (fewer than queue_depth − max_connections × batch active) POSTs share the lock; near it they take it alone.
      const headroom = await submissionHeadroom();
      const f = await stack.workspace();
      await stack.setQuotas(f.ws.id, { queue_depth: headroom + 10 });
      const { connector: things } = await stack.httpConnector(f.ws.id, { name: 'things' });
      const token = await f.token(['jobs:write']);
      const post = () => h.post(token, { connector: things, operation: 'get_thing', payload: { id: '1' } });

      // 0 active: the first ones take the shared path, the rest the exclusive one; all fit.
      const first = await Promise.all(Array.from({ length: 15 }, post));
      expect(first.map((res) => res.status)).toEqual(Array.from({ length: 15 }, () => 202));

      // Fill up to 2 below the limit, then race 10 submissions: exactly 2 get in.
      const filler = Array.from({ length: headroom + 10 - 2 - 15 }, () => ({ workspaceId: f.ws.id, connector: things, operation: 'get_thing', payload: { id: 'x' }, status: 'queued' as const }));
      await h.jobs.insert(filler);
      const race = await Promise.all(Array.from({ length: 10 }, post));
      expect(race.filter((res) => res.status === 202)).toHaveLength(2);
      expect(race.filter((res) => res.status === 429)).toHaveLength(8);
      expect(await h.jobs.countBy({ workspaceId: f.ws.id })).toBe(headroom + 10);
    });

    it('refuses the shared path per workspace: a batch mixing a workspace near its limit with another still inserts the other at once', async () => {
      const headroom = await submissionHeadroom();
      const near = await stack.workspace();
      await stack.setQuotas(near.ws.id, { queue_depth: headroom + 3 }); // the shared path takes at most 3 of its rows
      const { connector: nearThings } = await stack.httpConnector(near.ws.id, { name: 'things' });
      const nearToken = await near.token(['jobs:write']);
      const far = await stack.workspace();
      const { connector: farThings } = await stack.httpConnector(far.ws.id, { name: 'things' });
      const farToken = await far.token(['jobs:write']);

      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0 ? h.post(nearToken, { connector: nearThings, operation: 'get_thing', payload: { id: String(i) } }) : h.post(farToken, { connector: farThings, operation: 'get_thing', payload: { id: String(i) } }),
        ),
      );
      expect(answers.map((res) => res.status)).toEqual(Array.from({ length: 20 }, () => 202));
      expect(new Set(answers.map((res) => res.body.id)).size).toBe(20);
      expect(await h.jobs.countBy({ workspaceId: near.ws.id })).toBe(10);
      expect(await h.jobs.countBy({ workspaceId: far.ws.id })).toBe(10);
    });

    async function submissionHeadroom(): Promise<number> {
      const rows: Array<{ max_connections: string }> = await h.jobs.manager.query('SHOW max_connections');
      return Number(rows[0]?.max_connections) * MAX_SUBMISSION_BATCH;
    }
  });
});

/**
 * Redis trouble at submission. exec-api uses one Redis (REDIS_URL) for the auth guard's
 * revocation check and for the queue, so two cases: the queue alone cannot write (202, the row
 * stays queued for the sweeper), and Redis gone altogether (503 from the guard, nothing stored).
 */
describe('POST /v1/jobs with Redis in trouble', () => {
  let scratch: ScratchRedis;
  let stack: ExecStack;
  let h: ReturnType<typeof helpers>;
  let ws: TestWorkspace;
  let token: string;
  let queue: Queue<JobQueueData>;
  const body = { connector: 'things', operation: 'get_thing', payload: { id: '1' } };

  beforeAll(async () => {
    scratch = await ScratchRedis.start();
    stack = await ExecStack.start({ execEnv: { REDIS_URL: scratch.url } });
    h = helpers(stack);
    ws = await stack.workspace();
    await stack.httpConnector(ws.ws.id, { name: 'things' });
    token = await ws.token(['jobs:write', 'jobs:read']);
    queue = new Queue<JobQueueData>(QUEUES.jobs, { connection: redisConnectionOptions(scratch.url), prefix: bullPrefix(stack.redis.prefix) });
    // One accepted job first: the JWKS is fetched and every connection is up before the trouble starts.
    const warm = await h.post(token, body).expect(202);
    expect(await queue.getJob(warm.body.id)).toBeDefined();
  });
  afterAll(async () => {
    await queue?.close();
    await closeSettled(stack);
    await scratch?.kill();
  });

  it('answers 202 within the enqueue timeout when the queue cannot write, keeps the row queued, and the entry follows once Redis writes again', async () => {
    await scratch.pauseWrites(4000);
    const started = Date.now();
    const res = await h.post(token, body, { 'Idempotency-Key': newKey('paused') });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(202);
    expect(elapsed).toBeLessThan(3000);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(await h.jobs.findOneByOrFail({ id: res.body.id })).toMatchObject({ status: 'queued' });
    // The add that timed out completes after the pause (the sweeper would otherwise re-enqueue the row).
    await eventually(async () => {
      expect((await queue.getJob(res.body.id))?.id).toBe(res.body.id);
    }, 8000);
  }, 20_000);

  it('answers 503 UNAVAILABLE fast with nothing stored when Redis is down, and accepts jobs again once it is back', async () => {
    const countBefore = await h.jobs.countBy({ workspaceId: ws.ws.id });
    await scratch.kill();
    const started = Date.now();
    const res = await h.post(token, body);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('1');
    expect(await h.jobs.countBy({ workspaceId: ws.ws.id })).toBe(countBefore);

    await scratch.up();
    // Both connections reconnect on their own (the queue's with BullMQ's backoff, up to a few seconds).
    const producer = await stack.exec.app.get(JobQueue).jobs.client;
    await eventually(async () => {
      expect(producer.status).toBe('ready');
      await h.get(token, '/v1/jobs?limit=1').expect(200);
    }, 15_000);
    const accepted = await h.post(token, body).expect(202);
    expect((await queue.getJob(accepted.body.id))?.id).toBe(accepted.body.id);
  }, 30_000);
});
