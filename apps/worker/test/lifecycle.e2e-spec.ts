import request from 'supertest';
import { ScratchRedis, startTestApp, type TestApp } from '@orch/testing';
// control-api, exec-api and the fake upstream come from exec-api's e2e stack: the whole path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { eventually, ExecStack, type TestWorkspace } from '../../exec-api/test/support/exec-stack';
import { workerApp } from '../src/app.definition';
import type { WorkerConfig } from '../src/config';

/**
 * A job's whole life through the public APIs, every app in its real role: submitted on exec-api,
 * run by the worker, dead-lettered, inspected and replayed from the control plane, then
 * succeeded; polled on exec-api, its events listed, then purged after a second failure.
 */
describe('job lifecycle across exec-api, worker and control-api', () => {
  let stack: ExecStack;
  let worker: TestApp<WorkerConfig>;
  let a: TestWorkspace;
  let token: string;
  let connector: string;

  beforeAll(async () => {
    stack = await ExecStack.start();
    worker = await startTestApp(workerApp, {
      db: stack.db,
      env: { REDIS_KEY_PREFIX: stack.redis.prefix, EGRESS_ALLOW_CIDRS: '127.0.0.0/8', EXEC_CATALOG_CACHE_MS: '0', JOB_SWEEP_EVERY_MS: '1000', JOB_STUCK_AFTER_MS: '1000' },
    });
    a = await stack.workspace();
    token = await a.token(['jobs:write', 'jobs:read', 'events:read']);
    ({ connector } = await stack.httpConnector(a.ws.id, { policy: { retry: { max_attempts: 2, base_delay_ms: 10, max_delay_ms: 20, jitter: 'full', retry_on: [503], respect_retry_after: false } } }));
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  const exec = () => request(stack.exec.server);
  const control = (method: 'get' | 'post' | 'delete', path: string) => request(stack.control.server)[method](`/v1/workspaces/${a.ws.id}/${path}`).set('authorization', `Bearer ${stack.admin.token}`);

  async function jobWhen(id: string, status: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    let body: Record<string, unknown> = {};
    await eventually(async () => {
      body = (await exec().get(`/v1/jobs/${id}`).set('authorization', `Bearer ${token}`).expect(200)).body;
      expect(body['status']).toBe(status);
    }, timeoutMs);
    return body;
  }

  it('retries, dead-letters, is replayed from the DLQ and succeeds, keeping its history', async () => {
    stack.upstream.setHandler(() => ({ status: 503, body: { error: 'down' } }));
    const created = await exec().post('/v1/jobs').set('authorization', `Bearer ${token}`).send({ connector, operation: 'get_thing', payload: { id: '42' } }).expect(202);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ status: 'queued', attempts: 0, max_attempts: 2 });

    const dead = await jobWhen(id, 'dead_lettered');
    expect(dead['attempts']).toBe(2);
    expect((dead['runs'] as Array<{ status: string }>).map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(dead['error']).toMatchObject({ code: 'UPSTREAM_ERROR' });

    const dlq = await control('get', 'dlq').expect(200);
    expect(dlq.body.data.map((j: { id: string }) => j.id)).toContain(id);

    stack.upstream.setHandler(() => ({ status: 200, body: { id: '42', name: 'widget' } }));
    const replay = await control('post', 'dlq/replay').send({ reason: 'upstream fixed', job_id: id }).expect(200);
    expect(replay.body).toMatchObject({ replayed: 1, job_ids: [id], enqueue_failed: 0 });

    const done = await jobWhen(id, 'succeeded');
    expect(done['output']).toEqual({ id: '42', name: 'widget' });
    expect((done['runs'] as Array<{ attempt: number; status: string }>).map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);

    await eventually(async () => {
      const events = await exec().get(`/v1/events?job_id=${id}`).set('authorization', `Bearer ${token}`).expect(200);
      const types = (events.body.data as Array<{ type: string }>).map((e) => e.type);
      expect(types[0]).toBe('job.queued');
      expect(types).toEqual(expect.arrayContaining(['run.failed', 'job.retry_scheduled', 'job.dead_lettered', 'job.replayed', 'run.succeeded', 'job.succeeded']));
      expect(types.indexOf('job.dead_lettered')).toBeLessThan(types.indexOf('job.replayed'));
      expect(types.indexOf('job.replayed')).toBeLessThan(types.indexOf('job.succeeded'));
      // Each attempt is reported once, as run.* (D65).
      expect(types.filter((type) => type === 'run.started')).toHaveLength(3);
      expect(types.filter((type) => type.startsWith('execution.'))).toEqual([]);
    });
  });

  it('purges a dead-lettered job: it is gone from exec-api too', async () => {
    stack.upstream.setHandler(() => ({ status: 400, body: { error: 'bad request' } }));
    const created = await exec().post('/v1/jobs').set('authorization', `Bearer ${token}`).send({ connector, operation: 'get_thing', payload: { id: '7' } }).expect(202);
    const id = created.body.id as string;
    await jobWhen(id, 'dead_lettered');
    const purge = await control('delete', 'dlq').send({ reason: 'not worth replaying', job_id: id }).expect(200);
    expect(purge.body).toMatchObject({ purged: 1 });
    await exec().get(`/v1/jobs/${id}`).set('authorization', `Bearer ${token}`).expect(404);
  });
});

/**
 * Redis in trouble while jobs are submitted (the documented behaviour, docs/02_api_contracts.md):
 * writes blocked → POST /v1/jobs still answers 202 quickly with the row stored; once Redis
 * writes again, every accepted job is run by the worker, exactly once.
 */
describe('jobs accepted while Redis cannot write all complete once it can', () => {
  let scratch: ScratchRedis;
  let stack: ExecStack;
  let worker: TestApp<WorkerConfig>;
  let token: string;
  let connector: string;

  beforeAll(async () => {
    scratch = await ScratchRedis.start();
    stack = await ExecStack.start({ execEnv: { REDIS_URL: scratch.url } });
    worker = await startTestApp(workerApp, {
      db: stack.db,
      env: { REDIS_URL: scratch.url, REDIS_KEY_PREFIX: stack.redis.prefix, EGRESS_ALLOW_CIDRS: '127.0.0.0/8', EXEC_CATALOG_CACHE_MS: '0', JOB_SWEEP_EVERY_MS: '500', JOB_STUCK_AFTER_MS: '500' },
    });
    const ws = await stack.workspace();
    token = await ws.token(['jobs:write', 'jobs:read']);
    ({ connector } = await stack.httpConnector(ws.ws.id));
    // One job end to end first: tokens, JWKS and every connection are warm before the trouble.
    const warm = await request(stack.exec.server).post('/v1/jobs').set('authorization', `Bearer ${token}`).send({ connector, operation: 'get_thing', payload: { id: 'warm' } }).expect(202);
    await eventually(async () => expect((await request(stack.exec.server).get(`/v1/jobs/${warm.body.id}`).set('authorization', `Bearer ${token}`)).body.status).toBe('succeeded'), 10_000);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    await scratch?.kill();
  });

  it('answers 202 fast during a write pause, then runs each accepted job once', async () => {
    stack.upstream.reset();
    await scratch.pauseWrites(3000);
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(stack.exec.server).post('/v1/jobs').set('authorization', `Bearer ${token}`).send({ connector, operation: 'get_thing', payload: { id: `p${i}` } });
      expect(res.status).toBe(202);
      ids.push(res.body.id as string);
    }
    expect(Date.now() - started).toBeLessThan(3 * 2500);
    for (const id of ids) {
      await eventually(async () => expect((await request(stack.exec.server).get(`/v1/jobs/${id}`).set('authorization', `Bearer ${token}`)).body.status).toBe('succeeded'), 20_000);
    }
    // Each accepted job reached the upstream exactly once.
    expect(stack.upstream.requests.map((r) => r.url).sort()).toEqual(['/things/p0', '/things/p1', '/things/p2']);
  }, 40_000);
});
