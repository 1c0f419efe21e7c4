import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { announceEvents, type WrittenEvent } from '@orch/execution';
import { REDIS_CLIENT } from '@orch/platform';
import { ExecStack, listenExec, type TestWorkspace } from './support/exec-stack';
import { SseClient } from './support/sse-client';

/**
 * One SSE client served by two exec-api replicas in turn (a load balancer moving it after a
 * disconnect): the resume on the other replica replays from Postgres what was missed and then goes
 * live through Redis pub/sub — no gap, no duplicate — whichever replica wrote the events.
 */
describe('SSE resume across two exec-api replicas', () => {
  let stack: ExecStack;
  let a: TestWorkspace;
  let readA: string;
  let url1: string;
  let url2: string;
  let dataSource: DataSource;
  let redis: Redis;
  const clients: SseClient[] = [];

  async function emit(workspaceId: string, count: number, jobId: string): Promise<string[]> {
    const written: WrittenEvent[] = [];
    for (let i = 0; i < count; i++) {
      const [{ id }] = (await dataSource.query("INSERT INTO event_log (workspace_id, type, job_id, data) VALUES ($1, 'job.started', $2, $3) RETURNING id::text AS id", [workspaceId, jobId, JSON.stringify({ i })])) as Array<{ id: string }>;
      written.push({ id, workspaceId, type: 'job.started', jobId, executionId: null, data: { i } });
    }
    announceEvents(redis, written, stack.redis.prefix);
    return written.map((e) => e.id);
  }

  async function open(base: string, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(`${base}${path}`, { authorization: `Bearer ${readA}`, ...headers });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    stack = await ExecStack.start({ secondExec: true, execEnv: { SSE_KEEPALIVE_MS: '200' } });
    a = await stack.workspace();
    readA = await a.token(['events:read']);
    url1 = await listenExec(stack);
    const exec2 = stack.exec2;
    if (!exec2) throw new Error('the second exec-api replica did not start');
    await exec2.app.listen({ port: 0, host: '127.0.0.1' });
    url2 = `http://127.0.0.1:${(exec2.app.getHttpServer().address() as AddressInfo).port}`;
    dataSource = stack.exec.app.get(DataSource);
    redis = stack.exec.app.get<Redis>(REDIS_CLIENT);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('resumes on the other replica with Last-Event-ID: the missed events once, then live ones', async () => {
    const job = '00000000-0000-4000-8000-00000000beef';
    const start = String((await dataSource.query('SELECT COALESCE(max(id), 0)::text AS id FROM event_log'))[0].id);

    const first = await open(url1, `/v1/events/stream?after=${start}&job_id=${job}`);
    expect(first.status).toBe(200);
    const batch1 = await emit(a.ws.id, 3, job);
    await first.waitForEvents(3);
    expect(first.eventIds()).toEqual(batch1);
    const lastSeen = first.events()[2].sseId;
    await first.close();

    // Written while no stream is open: only Postgres has them for the next connection.
    const missed = await emit(a.ws.id, 4, job);

    const resumed = await open(url2, `/v1/events/stream?job_id=${job}`, { 'last-event-id': lastSeen });
    expect(resumed.status).toBe(200);
    await resumed.waitForEvents(4);

    // Live now, announced through Redis from "elsewhere" (the other replica's connection).
    const live = await emit(a.ws.id, 2, job);
    await resumed.waitForEvents(6);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.eventIds()).toEqual([...missed, ...live]);
    expect(new Set([...first.eventIds(), ...resumed.eventIds()]).size).toBe(9);
  });

  it('delivers to a stream on replica 2 the events of an execution served by replica 1', async () => {
    const { connector } = await stack.httpConnector(a.ws.id);
    const start = String((await dataSource.query('SELECT COALESCE(max(id), 0)::text AS id FROM event_log'))[0].id);
    // From an explicit `after`: whatever the execution writes is either in the backlog or live.
    const onTwo = await open(url2, `/v1/events/stream?type=execution.*&after=${start}`);
    expect(onTwo.status).toBe(200);

    stack.upstream.enqueue({ status: 200, body: { ok: true } });
    const res = await stack.execute(await a.token(['execute']), { connector, operation: 'get_thing', payload: { id: '1' } }).expect(200);

    await onTwo.waitForEvents(2, 5000);
    const mine = onTwo.events().filter((e) => e.event.execution_id === res.body.execution_id);
    expect(mine.map((e) => e.type)).toEqual(['execution.started', 'execution.succeeded']);
  });
});
