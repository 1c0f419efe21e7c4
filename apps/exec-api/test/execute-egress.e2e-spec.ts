import type { Server } from 'node:http';
import { FakeUpstream } from '@orch/testing';
import { closeSettled, ExecStack, type TestWorkspace } from './support/exec-stack';

/** Counts TCP connections a FakeUpstream accepts (its requests list only sees complete HTTP requests). */
function countConnections(upstream: FakeUpstream): { readonly count: number } {
  const counter = { count: 0 };
  // FakeUpstream keeps its server private; the test only listens to it.
  const server = upstream['server'] as Server;
  server.on('connection', () => counter.count++);
  return counter;
}

/**
 * The egress guard through POST /v1/execute (DESIGN §5): exec-api allows only 127.0.0.2/32, so
 * the fake upstream on 127.0.0.2 is reachable and the one on 127.0.0.1 (stack.upstream) must
 * never see a connection, whatever spelling of a loopback address a connector uses.
 */
describe('POST /v1/execute egress guard', () => {
  let stack: ExecStack;
  let allowed: FakeUpstream;
  let ws: TestWorkspace;
  let token: string;
  let forbiddenConnections: { readonly count: number };
  let allowedConnections: { readonly count: number };

  beforeAll(async () => {
    stack = await ExecStack.start({ execEnv: { EGRESS_ALLOW_CIDRS: '127.0.0.2/32' } });
    allowed = await FakeUpstream.start({ host: '127.0.0.2' });
    ws = await stack.workspace();
    await stack.setQuotas(ws.ws.id, { rps: 10_000, concurrency: 100, queue_depth: 10_000 });
    token = await ws.token();
    forbiddenConnections = countConnections(stack.upstream);
    allowedConnections = countConnections(allowed);
  });
  afterAll(async () => {
    await allowed?.close();
    await closeSettled(stack);
  });
  beforeEach(() => {
    stack.upstream.reset();
    allowed.reset();
  });

  it('reaches an upstream inside EGRESS_ALLOW_CIDRS (127.0.0.2)', async () => {
    const { connector } = await stack.httpConnector(ws.ws.id, { baseUrl: allowed.url });
    allowed.enqueue({ status: 200, body: { reached: true } });
    const res = await stack.execute(token, { connector, operation: 'get_thing', payload: { id: '1' } });
    expect(res.status).toBe(200);
    expect(res.body.output).toEqual({ reached: true });
    expect(allowed.requests).toHaveLength(1);
    expect(allowedConnections.count).toBeGreaterThan(0);
  });

  describe('refuses every spelling of a blocked loopback address (403 EGRESS_BLOCKED, no connection made)', () => {
    // Each form names 127.0.0.1 (or IPv6 loopback) on the forbidden upstream's port.
    const forms: Array<[string, (port: number) => string]> = [
      ['dotted quad', (p) => `http://127.0.0.1:${p}`],
      ['decimal integer', (p) => `http://2130706433:${p}`],
      ['hexadecimal integer', (p) => `http://0x7f000001:${p}`],
      ['octal first octet', (p) => `http://0177.0.0.1:${p}`],
      ['short form 127.1', (p) => `http://127.1:${p}`],
      ['IPv4-mapped IPv6', (p) => `http://[::ffff:127.0.0.1]:${p}`],
      ['DNS name resolving to loopback (localhost)', (p) => `http://localhost:${p}`],
      ['IPv6 loopback', (p) => `http://[::1]:${p}`],
    ];

    it.each(forms)('as base_url: %s', async (_label, form) => {
      const base = form(stack.upstream.port);
      // The control plane accepts all of these (format uri); the guard must refuse them at call time.
      const { connector } = await stack.httpConnector(ws.ws.id, { baseUrl: base });
      const before = forbiddenConnections.count;
      const res = await stack.execute(token, { connector, operation: 'get_thing', payload: { id: '1' } });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'EGRESS_BLOCKED', message: expect.any(String) });
      expect(res.body.error.details).toMatchObject({ host: expect.any(String), reason: expect.any(String) });
      expect(stack.upstream.requests).toHaveLength(0);
      expect(forbiddenConnections.count).toBe(before);
    });

    it.each(forms)('as an absolute operation path (no base_url): %s', async (_label, form) => {
      const base = form(stack.upstream.port);
      const { connector } = await stack.httpConnector(ws.ws.id, {
        baseUrl: undefined,
        config: { base_url: undefined, operations: [{ operation_id: 'get_abs', method: 'GET', path: `${base}/things/{id}` }] },
      });
      const before = forbiddenConnections.count;
      const res = await stack.execute(token, { connector, operation: 'get_abs', payload: { id: '1' } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('EGRESS_BLOCKED');
      expect(stack.upstream.requests).toHaveLength(0);
      expect(forbiddenConnections.count).toBe(before);
    });

    it('stays refused on repeated calls (not retried, never a connection)', async () => {
      const { connector } = await stack.httpConnector(ws.ws.id, { baseUrl: `http://127.0.0.1:${stack.upstream.port}` });
      const before = forbiddenConnections.count;
      for (let i = 0; i < 3; i++) {
        const res = await stack.execute(token, { connector, operation: 'get_thing', payload: { id: String(i) } });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('EGRESS_BLOCKED');
      }
      expect(forbiddenConnections.count).toBe(before);
    });
  });

  it('does not follow a redirect from an allowed upstream to a blocked address (502 UPSTREAM_ERROR, upstream_status 302)', async () => {
    const { connector } = await stack.httpConnector(ws.ws.id, { baseUrl: allowed.url });
    allowed.setHandler(() => ({ status: 302, headers: { location: `http://127.0.0.1:${stack.upstream.port}/x` }, body: '' }));
    const before = forbiddenConnections.count;
    const res = await stack.execute(token, { connector, operation: 'get_thing', payload: { id: 'r' } });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 302, attempts: 1 } });
    expect(allowed.requests).toHaveLength(1);
    expect(stack.upstream.requests).toHaveLength(0);
    expect(forbiddenConnections.count).toBe(before);
  });

  it('does not follow a redirect to another allowed path either (302 is the answer, not a hop)', async () => {
    const { connector } = await stack.httpConnector(ws.ws.id, { baseUrl: allowed.url });
    allowed.enqueue({ status: 302, headers: { location: `${allowed.url}/elsewhere` }, body: '' });
    const res = await stack.execute(token, { connector, operation: 'get_thing', payload: { id: 'r2' } });
    expect(res.status).toBe(502);
    expect(res.body.error.details.upstream_status).toBe(302);
    expect(allowed.requests.map((r) => r.url)).toEqual(['/things/r2']);
  });
});
