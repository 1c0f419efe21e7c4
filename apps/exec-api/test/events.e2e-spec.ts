import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { announceEvents, EventHub, type WrittenEvent } from '@orch/execution';
import { REDIS_CLIENT } from '@orch/platform';
import { eventually, ExecStack, listenExec, type TestWorkspace } from './support/exec-stack';
import { SseClient } from './support/sse-client';

/** GET /v1/events and GET /v1/events/stream: filters, paging, SSE order, resume, isolation. */
describe('EventsController', () => {
  let stack: ExecStack;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let readA: string;
  let readB: string;
  let baseUrl: string;
  let dataSource: DataSource;
  let redis: Redis;
  const clients: SseClient[] = [];

  /** Inserts events one by one (ids in this order) and announces them as the worker would. */
  async function emit(workspaceId: string, rows: Array<{ type: string; jobId?: string; executionId?: string; data?: Record<string, unknown> }>, announce = true): Promise<string[]> {
    const written: WrittenEvent[] = [];
    for (const row of rows) {
      const [{ id }] = (await dataSource.query('INSERT INTO event_log (workspace_id, type, job_id, execution_id, data) VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id', [
        workspaceId,
        row.type,
        row.jobId ?? null,
        row.executionId ?? null,
        JSON.stringify(row.data ?? {}),
      ])) as Array<{ id: string }>;
      written.push({ id, workspaceId, type: row.type, jobId: row.jobId ?? null, executionId: row.executionId ?? null, data: row.data ?? {} });
    }
    if (announce) announceEvents(redis, written, stack.redis.prefix);
    return written.map((e) => e.id);
  }

  async function open(path: string, token: string | undefined, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(`${baseUrl}${path}`, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers });
    clients.push(client);
    return client;
  }

  function list(token: string | undefined, query: Record<string, string> = {}): request.Test {
    const req = request(stack.exec.server).get('/v1/events').query(query);
    return token ? req.set('authorization', `Bearer ${token}`) : req;
  }

  beforeAll(async () => {
    stack = await ExecStack.start({ execEnv: { SSE_KEEPALIVE_MS: '150' } });
    a = await stack.workspace();
    b = await stack.workspace();
    readA = await a.token(['events:read']);
    readB = await b.token(['events:read']);
    baseUrl = await listenExec(stack);
    dataSource = stack.exec.app.get(DataSource);
    redis = stack.exec.app.get<Redis>(REDIS_CLIENT);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    // A stream still open at shutdown is ended by the server, so the app (and jest) can exit.
    const dangling = baseUrl ? await open('/v1/events/stream', readA) : undefined;
    await stack?.close();
    if (dangling) expect(dangling.closed).toBe(true);
  });

  describe('list', () => {
    it('lists the workspace events in id order, filtered by job_id, execution_id and type', async () => {
      const job = randomUUID();
      const execution = randomUUID();
      const ids = await emit(a.ws.id, [
        { type: 'job.queued', jobId: job },
        { type: 'run.started', jobId: job },
        { type: 'execution.started', executionId: execution },
        { type: 'run.failed', jobId: job, data: { error: 'boom' } },
        { type: 'job.queued', jobId: randomUUID() },
      ]);
      const after = String(BigInt(ids[0]) - 1n);

      const all = await list(readA, { after }).expect(200);
      expect(all.body.data.map((e: { id: string }) => e.id)).toEqual(ids);
      expect(all.body.next_after).toBeNull();
      expect(all.body.data[3]).toEqual({ id: ids[3], type: 'run.failed', job_id: job, execution_id: null, data: { error: 'boom' }, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });

      expect((await list(readA, { after, job_id: job }).expect(200)).body.data.map((e: { id: string }) => e.id)).toEqual([ids[0], ids[1], ids[3]]);
      expect((await list(readA, { after, execution_id: execution }).expect(200)).body.data.map((e: { id: string }) => e.id)).toEqual([ids[2]]);
      expect((await list(readA, { after, type: 'job.queued' }).expect(200)).body.data.map((e: { id: string }) => e.id)).toEqual([ids[0], ids[4]]);
      expect((await list(readA, { after, type: 'run.*,execution.started' }).expect(200)).body.data.map((e: { id: string }) => e.id)).toEqual([ids[1], ids[2], ids[3]]);
      expect((await list(readA, { after, type: 'run.*', job_id: job }).expect(200)).body.data.map((e: { id: string }) => e.id)).toEqual([ids[1], ids[3]]);
    });

    it('pages with limit and the exclusive after cursor, next_after null on the last page', async () => {
      const ids = await emit(a.ws.id, Array.from({ length: 5 }, () => ({ type: 'job.started' })));
      const after = String(BigInt(ids[0]) - 1n);
      const seen: string[] = [];
      let cursor: string | null = after;
      let pages = 0;
      while (cursor !== null) {
        const res: request.Response = await list(readA, { after: cursor, limit: '2', type: 'job.started' }).expect(200);
        seen.push(...res.body.data.map((e: { id: string }) => e.id));
        cursor = res.body.next_after;
        pages++;
      }
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
      const first = await list(readA, { after, limit: '2', type: 'job.started' }).expect(200);
      expect(first.body.next_after).toBe(ids[1]);
    });

    it('shows the events the real execution path writes', async () => {
      const { connector } = await stack.httpConnector(a.ws.id);
      stack.upstream.enqueue({ status: 200, body: { ok: true } });
      const res = await stack.execute(await a.token(['execute']), { connector, operation: 'get_thing', payload: { id: '1' } }).expect(200);
      await eventually(async () => {
        const page = await list(readA, { execution_id: res.body.execution_id }).expect(200);
        expect(page.body.data.map((e: { type: string }) => e.type)).toEqual(['execution.started', 'execution.succeeded']);
      });
    });

    it('orders by the numeric id, not its text', async () => {
      const c = await stack.workspace();
      // Ids of different lengths, far above what the identity will reach in this run.
      for (const id of ['1000000000000000000', '999999999999999999']) {
        await dataSource.query("INSERT INTO event_log (id, workspace_id, type, data) OVERRIDING SYSTEM VALUE VALUES ($1, $2, 'job.queued', '{}')", [id, c.ws.id]);
      }
      const res = await list(await c.token(['events:read']), { after: '0', limit: '1' }).expect(200);
      expect(res.body.data.map((e: { id: string }) => e.id)).toEqual(['999999999999999999']);
      expect(res.body.next_after).toBe('999999999999999999');
      const next = await list(await c.token(['events:read']), { after: res.body.next_after }).expect(200);
      expect(next.body).toEqual({ data: [expect.objectContaining({ id: '1000000000000000000' })], next_after: null });
    });

    it('never shows another workspace’s events', async () => {
      const [idA] = await emit(a.ws.id, [{ type: 'job.cancelled' }]);
      const res = await list(readB, { after: '0', limit: '500' }).expect(200);
      expect(res.body.data.map((e: { id: string }) => e.id)).not.toContain(idA);
      expect(res.body.data).toEqual([]);
      // Naming A's job as a filter does not reach across either.
      const job = randomUUID();
      await emit(a.ws.id, [{ type: 'job.queued', jobId: job }]);
      expect((await list(readB, { job_id: job }).expect(200)).body.data).toEqual([]);
    });

    it('refuses invalid filters with the field path (400)', async () => {
      const cases: Array<[Record<string, string>, string]> = [
        [{ after: 'abc' }, '/after'],
        [{ after: '-1' }, '/after'],
        [{ after: '99999999999999999999' }, '/after'],
        [{ limit: '0' }, '/limit'],
        [{ limit: '501' }, '/limit'],
        [{ limit: 'ten' }, '/limit'],
        [{ job_id: 'not-a-uuid' }, '/job_id'],
        [{ execution_id: '42' }, '/execution_id'],
        [{ type: 'job.nope' }, '/type'],
        [{ type: 'nope.*' }, '/type'],
        [{ workspace_id: b.ws.id }, '/workspace_id'],
      ];
      for (const [query, path] of cases) {
        const res = await list(readA, query);
        expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
        expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
    });

    it('refuses a missing token (401) and a token without events:read (403)', async () => {
      expect((await list(undefined).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
      expect((await list(await a.token(['execute', 'jobs:read'])).expect(403)).body.error.code).toBe('FORBIDDEN');
    });
  });

  describe('stream', () => {
    it('sends retry, the SSE headers with the request id, then the backlog and live events in id order', async () => {
      const job = randomUUID();
      const backlog = await emit(a.ws.id, [
        { type: 'job.queued', jobId: job },
        { type: 'job.started', jobId: job },
      ]);
      const after = String(BigInt(backlog[0]) - 1n);
      const client = await open(`/v1/events/stream?after=${after}`, readA, { 'x-request-id': 'sse-test-request-1' });
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/event-stream');
      expect(client.headers['cache-control']).toBe('no-store');
      expect(client.headers['x-accel-buffering']).toBe('no');
      expect(client.headers['x-request-id']).toBe('sse-test-request-1');
      await client.waitForEvents(2);
      expect(client.messages[0]).toEqual({ retry: '2000' });

      const live = await emit(a.ws.id, [
        { type: 'run.started', jobId: job },
        { type: 'run.succeeded', jobId: job },
        { type: 'job.succeeded', jobId: job, data: { output: { ok: true } } },
      ]);
      await client.waitForEvents(5);
      const events = client.events();
      expect(events.map((e) => e.event.id)).toEqual([...backlog, ...live]);
      expect(events.map((e) => e.sseId)).toEqual([...backlog, ...live]);
      expect(events.map((e) => e.type)).toEqual(['job.queued', 'job.started', 'run.started', 'run.succeeded', 'job.succeeded']);
      expect(events[4].event).toEqual({ id: live[2], type: 'job.succeeded', job_id: job, execution_id: null, data: { output: { ok: true } }, created_at: expect.any(String) });
    });

    it('applies the type and job_id filters to the backlog and to live events', async () => {
      const job = randomUUID();
      const other = randomUUID();
      const first = await emit(a.ws.id, [
        { type: 'job.queued', jobId: job },
        { type: 'run.started', jobId: job },
        { type: 'run.started', jobId: other },
      ]);
      const after = String(BigInt(first[0]) - 1n);
      const byJob = await open(`/v1/events/stream?after=${after}&job_id=${job}`, readA);
      const byType = await open(`/v1/events/stream?after=${after}&type=run.*`, readA);
      const both = await open(`/v1/events/stream?after=${after}&type=run.started&job_id=${job}`, readA);
      const second = await emit(a.ws.id, [
        { type: 'run.failed', jobId: job },
        { type: 'run.failed', jobId: other },
        { type: 'job.dead_lettered', jobId: job },
      ]);
      await byJob.waitForEvents(4);
      await byType.waitForEvents(4);
      await both.waitForEvents(1);
      // The last event of each filter proves the earlier ones had their chance to arrive.
      expect(byJob.eventIds()).toEqual([first[0], first[1], second[0], second[2]]);
      expect(byType.eventIds()).toEqual([first[1], first[2], second[0], second[1]]);
      await emit(a.ws.id, [{ type: 'job.queued', jobId: job }]);
      await byJob.waitForEvents(5);
      expect(both.eventIds()).toEqual([first[1]]);
    });

    it('starts after the latest event when no cursor is given', async () => {
      await emit(a.ws.id, [{ type: 'job.queued' }]);
      const client = await open('/v1/events/stream', readA);
      // The subscription is in place once the retry line is out and the backlog (empty) is read.
      await eventually(async () => expect(client.messages.length).toBeGreaterThan(0));
      await eventually(async () => expect(stack.exec.app.get(EventHub).channelCount).toBeGreaterThan(0));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const live = await emit(a.ws.id, [{ type: 'job.started' }]);
      await client.waitForEvents(1);
      expect(client.eventIds()).toEqual(live);
    });

    it('resumes with Last-Event-ID after a disconnect: exactly the missed events, no gap, no duplicate', async () => {
      const job = randomUUID();
      const before = await emit(a.ws.id, [{ type: 'job.queued', jobId: job }]);
      const start = String(BigInt(before[0]) - 1n);
      const first = await open(`/v1/events/stream?after=${start}&job_id=${job}`, readA);
      const batch1 = await emit(a.ws.id, [
        { type: 'job.started', jobId: job },
        { type: 'run.started', jobId: job },
      ]);
      await first.waitForEvents(3);
      const lastSeen = first.events()[2].sseId;
      await first.close();

      const missed = await emit(a.ws.id, [
        { type: 'run.failed', jobId: job },
        { type: 'job.retry_scheduled', jobId: job },
      ]);
      // A reconnecting EventSource repeats the original URL (?after=…) with the header, which wins.
      const second = await open(`/v1/events/stream?after=${start}&job_id=${job}`, readA, { 'last-event-id': lastSeen });
      await second.waitForEvents(2);
      const batch2 = await emit(a.ws.id, [
        { type: 'run.started', jobId: job },
        { type: 'run.succeeded', jobId: job },
        { type: 'job.succeeded', jobId: job },
      ]);
      await second.waitForEvents(5);
      expect(first.eventIds()).toEqual([...before, ...batch1]);
      expect(second.eventIds()).toEqual([...missed, ...batch2]);
      expect([...first.eventIds(), ...second.eventIds()]).toEqual([...before, ...batch1, ...missed, ...batch2]);
    });

    it('delivers an event committed after a larger id, and one never announced, by re-reading Postgres', async () => {
      const job = randomUUID();
      const [seed] = await emit(a.ws.id, [{ type: 'job.queued', jobId: job }]);
      const client = await open(`/v1/events/stream?after=${seed}&job_id=${job}`, readA);
      await eventually(async () => expect(client.messages.length).toBeGreaterThan(0));

      // A "worker" holds an id in an open transaction while another writer commits and announces a larger one.
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      let lateId: string;
      try {
        await runner.startTransaction();
        [{ id: lateId }] = (await runner.query("INSERT INTO event_log (workspace_id, type, job_id, data) VALUES ($1, 'run.started', $2, '{}') RETURNING id::text AS id", [a.ws.id, job])) as Array<{ id: string }>;
        const [larger] = await emit(a.ws.id, [{ type: 'job.started', jobId: job }]);
        await client.waitForEvents(1);
        expect(client.eventIds()).toEqual([larger]);
        await runner.commitTransaction();
        // Not announced (as if the publish was lost): the periodic re-read finds it.
        await client.waitForEvents(2, 6000);
        const events = client.events();
        expect(events.map((e) => e.event.id)).toEqual([larger, lateId]);
        // Its SSE id stays the stream's cursor, so a resume never replays `larger`.
        expect(events[1].sseId).toBe(larger);
        expect(BigInt(lateId)).toBeLessThan(BigInt(larger));
      } finally {
        await runner.release();
      }
      const resumed = await open(`/v1/events/stream?job_id=${job}`, readA, { 'last-event-id': client.events()[1].sseId });
      const next = await emit(a.ws.id, [{ type: 'job.succeeded', jobId: job }]);
      await resumed.waitForEvents(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(resumed.eventIds()).toEqual(next);
    }, 15_000);

    it('never sends another workspace’s events', async () => {
      const job = randomUUID();
      const [seedB] = await emit(b.ws.id, [{ type: 'job.queued' }]);
      const streamB = await open(`/v1/events/stream?after=${seedB}`, readB);
      const streamA = await open(`/v1/events/stream?after=${seedB}&job_id=${job}`, readA);
      await eventually(async () => expect(streamB.messages.length + streamA.messages.length).toBeGreaterThan(1));
      await emit(a.ws.id, [{ type: 'job.queued', jobId: job }]);
      const idsB = await emit(b.ws.id, [{ type: 'job.started' }]);
      await emit(a.ws.id, [{ type: 'job.started', jobId: job }]);
      await streamB.waitForEvents(1);
      await streamA.waitForEvents(2);
      // A's job id as a filter on B's stream reaches nothing either.
      const probe = await open(`/v1/events/stream?after=0&job_id=${job}`, readB);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(streamB.eventIds()).toEqual(idsB);
      expect(probe.events()).toEqual([]);
    });

    it('writes keep-alive comments every SSE_KEEPALIVE_MS', async () => {
      const client = await open('/v1/events/stream', readA);
      await eventually(async () => expect(client.messages.filter((m) => m.comment === 'keep-alive').length).toBeGreaterThanOrEqual(2), 3000);
    });

    it('frees the workspace subscription when the last client disconnects', async () => {
      const hub = stack.exec.app.get(EventHub);
      const c1 = await open('/v1/events/stream', readB);
      const c2 = await open('/v1/events/stream', readB);
      await eventually(async () => expect(c1.messages.length + c2.messages.length).toBeGreaterThan(1));
      expect(hub.channelCount).toBe(1);
      await c1.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(hub.channelCount).toBe(1);
      await c2.close();
      await eventually(async () => expect(hub.channelCount).toBe(0));
    });

    it('refuses a missing token (401), a token without events:read (403) and a bad cursor (400) with the envelope', async () => {
      const noToken = await open('/v1/events/stream', undefined);
      expect(noToken.status).toBe(401);
      expect(JSON.parse(await noToken.text()).error.code).toBe('UNAUTHENTICATED');
      const wrongScope = await open('/v1/events/stream', await a.token(['execute']));
      expect(wrongScope.status).toBe(403);
      expect(JSON.parse(await wrongScope.text()).error.code).toBe('FORBIDDEN');
      const badHeader = await open('/v1/events/stream', readA, { 'last-event-id': 'abc' });
      expect(badHeader.status).toBe(400);
      expect(JSON.parse(await badHeader.text()).error.details).toEqual([{ path: '/last-event-id', message: expect.any(String) }]);
      const badQuery = await open('/v1/events/stream?type=nope&limit=5', readA);
      expect(badQuery.status).toBe(400);
      expect(JSON.parse(await badQuery.text()).error.details.map((d: { path: string }) => d.path).sort()).toEqual(['/limit', '/type']);
      expect(badQuery.headers['x-request-id']).toEqual(expect.any(String));
    });

    it('counts closed streams in the HTTP metrics by route template', async () => {
      const client = await open('/v1/events/stream', readA);
      await eventually(async () => expect(client.messages.length).toBeGreaterThan(0));
      await client.close();
      await eventually(async () => {
        const metrics = await request(stack.exec.server).get('/metrics').expect(200);
        expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/v1\/events\/stream"[^}]*status_code="200"/);
      });
    });
  });
});
