import { DataSource } from 'typeorm';
import { EventLogEntity, RequestLogEntity } from '@orch/data';
import { serviceToken } from '@orch/testing';
import { eventually, ExecStack, type TestWorkspace } from './support/exec-stack';

/** POST /v1/execute: the contract, its negative cases and the records it leaves. */
describe('POST /v1/execute', () => {
  let stack: ExecStack;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let tokenA: string;
  let connector: string;

  beforeAll(async () => {
    stack = await ExecStack.start();
    a = await stack.workspace();
    b = await stack.workspace();
    tokenA = await a.token();
    ({ connector } = await stack.httpConnector(a.ws.id));
  });
  afterAll(async () => stack?.close());
  beforeEach(() => stack.upstream.reset());

  it('runs a GET operation with a path parameter and answers the upstream output', async () => {
    stack.upstream.enqueue({ status: 200, body: { id: '42', name: 'widget' } });
    const res = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: '42', expand: 'all' } }).expect(200);
    expect(res.body).toEqual({ execution_id: expect.any(String), status: 'succeeded', output: { id: '42', name: 'widget' }, attempts: 1, upstream: { status: 200, duration_ms: expect.any(Number) } });
    expect(stack.upstream.requests).toHaveLength(1);
    expect(stack.upstream.requests[0]).toMatchObject({ method: 'GET', url: '/things/42?expand=all' });
    expect(res.headers['ratelimit-limit']).toBe('10000');
    expect(Number(res.headers['ratelimit-remaining'])).toBeLessThan(10000);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('sends the remaining payload of a POST as the JSON body', async () => {
    stack.upstream.enqueue({ status: 201, body: { id: 't1' } });
    const res = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 'widget' } }).expect(200);
    expect(res.body.upstream.status).toBe(201);
    expect(stack.upstream.requests[0]).toMatchObject({ method: 'POST', url: '/things' });
    expect(JSON.parse(stack.upstream.requests[0]?.body ?? '')).toEqual({ name: 'widget' });
  });

  describe('refuses', () => {
    it('a request without a token (401) or with a control-plane token (401)', async () => {
      const controlToken = await serviceToken(stack.control.app, a.ws.id, ['workspace:read'], { audience: 'control' });
      for (const res of [await stack.execute('', { connector, operation: 'get_thing', payload: { id: '1' } }), await stack.execute(controlToken, { connector, operation: 'get_thing', payload: { id: '1' } })]) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      }
    });

    it('a token without the execute scope (403)', async () => {
      const res = await stack.execute(await a.token(['jobs:read']), { connector, operation: 'get_thing', payload: { id: '1' } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    });

    it("another workspace's connector as not found (404), and an unknown operation (404)", async () => {
      const other = await stack.execute(await b.token(), { connector, operation: 'get_thing', payload: { id: '1' } });
      expect(other.status).toBe(404);
      expect(other.body.error.code).toBe('NOT_FOUND');
      const op = await stack.execute(tokenA, { connector, operation: 'nope', payload: {} });
      expect(op.status).toBe(404);
      expect(stack.upstream.requests).toHaveLength(0);
    });

    it('an invalid body with field paths (400), unknown fields included', async () => {
      const res = await stack.execute(tokenA, { operation: 'get_thing', payload: [], timeout_ms: 0, extra: true });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const paths = [...new Set((res.body.error.details as Array<{ path: string }>).map((d) => d.path))].sort();
      expect(paths).toEqual(['/connector', '/extra', '/payload', '/timeout_ms']);
    });

    it('a payload that does not match the operation payload_schema (400 at /payload/…)', async () => {
      const res = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 7 } });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: '/payload/name', message: expect.any(String) }] });
      expect(stack.upstream.requests).toHaveLength(0);
    });

    it('a body above the limit (413)', async () => {
      const res = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 'x'.repeat(1_100_000) } });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  it('retries an upstream 503 and reports 502 UPSTREAM_ERROR with the upstream status once attempts run out', async () => {
    stack.upstream.setHandler(() => ({ status: 503, body: { error: 'down' } }));
    const res = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: '9' } });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 503, attempts: 3, execution_id: expect.any(String) } });
    expect(stack.upstream.requests).toHaveLength(3);
  });

  it('writes execution events and a request_log row (batched, visible shortly after)', async () => {
    stack.upstream.enqueue({ status: 200, body: { ok: true } });
    const res = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: '5' } }).expect(200);
    const dataSource = stack.control.app.get(DataSource);
    const executionId = res.body.execution_id as string;
    await eventually(async () => {
      const events = await dataSource.getRepository(EventLogEntity).find({ where: { workspaceId: a.ws.id, executionId }, order: { id: 'ASC' } });
      expect(events.map((e) => e.type)).toEqual(['execution.started', 'execution.succeeded']);
      expect(events[1]?.data).toMatchObject({ connector, operation: 'get_thing', attempts: 1, upstream_status: 200 });
      const logged = await dataSource.getRepository(RequestLogEntity).findOne({ where: { workspaceId: a.ws.id, requestId: res.headers['x-request-id'] as string } });
      expect(logged).toMatchObject({ method: 'POST', route: '/v1/execute', status: 200, connector, operation: 'get_thing' });
    });
  });
});
