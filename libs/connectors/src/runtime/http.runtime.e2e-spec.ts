import { EgressPolicy } from '../egress/address-policy';
import { EgressBlockedError } from '../egress/egress-blocked-error';
import { ConnectorRuntimes } from './connector-runtimes';
import type { AttemptLimits, AttemptResult, ConnectorRuntime } from './runtime';
import { attemptRequest, httpOperation, TEST_LIMITS } from './testing/attempt-request.factory';
import { LOOPBACK_DNS, tableResolver } from './testing/fake-dns';
import { freeLoopbackPort, startBlackholeListener, startLoopbackServer, type LoopbackServer } from './testing/loopback-http';
import type { HttpMethod } from '../connector-type';

// Every server is on loopback; names resolve through a fixed table, so no DNS query leaves the machine.
const resolveAll = tableResolver(LOOPBACK_DNS);

const SECRET = 'tok_SUPER_SECRET_VALUE';

function call(runtime: ConnectorRuntime, baseUrl: string | undefined, method: HttpMethod, path: string, payload: Record<string, unknown> = {}, limits: Partial<AttemptLimits> = {}): Promise<AttemptResult> {
  return runtime.attempt(
    attemptRequest({
      connector: { name: 'api', type: 'http', config: { ...(baseUrl !== undefined ? { base_url: baseUrl } : {}), auth: { kind: 'bearer', secret_ref: 'api-token' } } },
      operation: httpOperation(method, path),
      payload,
      secrets: { '/auth/secret_ref': SECRET },
      limits: { ...TEST_LIMITS, ...limits },
    }),
  );
}

describe('HttpRuntime (loopback e2e)', () => {
  let upstream: LoopbackServer;
  let runtimes: ConnectorRuntimes;
  let http: ConnectorRuntime;

  beforeAll(async () => {
    upstream = await startLoopbackServer('127.0.0.1', (req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/text':
          res.setHeader('content-type', 'text/plain');
          return res.end('plain words');
        case '/fail':
          res.writeHead(500, { 'retry-after': '7', 'content-type': 'application/json', 'x-request-id': 'up-1', server: 'fake' });
          return res.end('{"error":"boom"}');
        case '/slow-headers':
          return void setTimeout(() => res.end('late'), 600);
        case '/slow-body':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first part');
          return void setTimeout(() => res.end('rest'), 600);
        case '/big':
          res.setHeader('content-type', 'text/plain');
          res.write('x'.repeat(600));
          return res.end('y'.repeat(600));
        case '/big-declared':
          res.writeHead(200, { 'content-length': '5000' });
          return res.end('z'.repeat(5000));
        case '/destroy':
          return req.socket.destroy();
        case '/redirect':
          res.writeHead(302, { location: upstream.url('/secret-place') });
          return res.end();
        case '/empty':
          res.writeHead(204);
          return res.end();
        default:
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ method: req.method, url: req.url, body: body === '' ? null : (JSON.parse(body) as unknown), ua: req.headers['user-agent'], exec: req.headers['x-orchestrator-execution-id'], bearer: req.headers['authorization'] === `Bearer ${SECRET}` }));
      }
    });
    runtimes = new ConnectorRuntimes({ policy: new EgressPolicy('127.0.0.0/8'), resolveAll });
    const runtime = runtimes.get('http');
    if (runtime === undefined) throw new Error('no http runtime');
    http = runtime;
  });

  afterAll(async () => {
    await runtimes.close();
    await upstream.close();
  });

  it('GET with path values and query: JSON response parsed, headers sent', async () => {
    const result = await call(http, upstream.url('/api'), 'GET', '/items/{id}', { id: 'a/b', q: 'x', tag: ['1', '2'] });
    expect(result).toMatchObject({
      kind: 'response',
      status: 200,
      headers: { 'content-type': 'application/json' },
      output: { method: 'GET', url: '/api/items/a%2Fb?q=x&tag=1&tag=2', body: null, exec: '00000000-0000-4000-8000-0000000000e1', bearer: true },
    });
    expect((result as { output: { ua: string } }).output.ua).toMatch(/^orchestrator\//);
  });

  it('POST sends the rest of the payload as JSON', async () => {
    const result = await call(http, upstream.url(''), 'POST', '/orders/{id}', { id: 7, amount: 3, items: [{ sku: 'a' }] });
    expect(result).toMatchObject({ kind: 'response', status: 200, output: { method: 'POST', url: '/orders/7', body: { amount: 3, items: [{ sku: 'a' }] } } });
  });

  it('an absolute operation path works without base_url', async () => {
    expect(await call(http, undefined, 'GET', upstream.url('/abs'))).toMatchObject({ kind: 'response', status: 200 });
  });

  it('non-JSON body → { body: text }; empty body → {}', async () => {
    expect(await call(http, upstream.url(''), 'GET', '/text')).toMatchObject({ kind: 'response', status: 200, output: { body: 'plain words' } });
    expect(await call(http, upstream.url(''), 'DELETE', '/empty')).toMatchObject({ kind: 'response', status: 204, output: {} });
  });

  it('a 500 is a response, with Retry-After among the kept headers', async () => {
    const result = await call(http, upstream.url(''), 'GET', '/fail');
    expect(result).toMatchObject({ kind: 'response', status: 500, output: { error: 'boom' } });
    expect((result as { headers: Record<string, string> }).headers).toEqual({ 'retry-after': '7', 'content-type': 'application/json', 'x-request-id': 'up-1' });
  });

  it('a 302 is returned as is, never followed', async () => {
    const before = upstream.requests.length;
    const result = await call(http, upstream.url(''), 'GET', '/redirect');
    expect(result).toMatchObject({ kind: 'response', status: 302, headers: { location: upstream.url('/secret-place') }, output: {} });
    expect(upstream.requests.length).toBe(before + 1);
  });

  it('headers later than read_ms → timeout read', async () => {
    expect(await call(http, upstream.url(''), 'GET', '/slow-headers', {}, { connect_ms: 100, read_ms: 150 })).toMatchObject({ kind: 'timeout', phase: 'read' });
  });

  it('a body stalling longer than read_ms → timeout read', async () => {
    expect(await call(http, upstream.url(''), 'GET', '/slow-body', {}, { connect_ms: 100, read_ms: 150 })).toMatchObject({ kind: 'timeout', phase: 'read' });
  });

  it('total_ms shorter than the upstream → timeout total', async () => {
    expect(await call(http, upstream.url(''), 'GET', '/slow-headers', {}, { read_ms: 5_000, total_ms: 150 })).toMatchObject({ kind: 'timeout', phase: 'total' });
  });

  it('the caller signal aborts the attempt', async () => {
    const controller = new AbortController();
    const pending = http.attempt(
      attemptRequest({ connector: { name: 'api', type: 'http', config: { base_url: upstream.url('') } }, operation: httpOperation('GET', '/slow-headers'), signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ kind: 'network', message: 'attempt aborted by the caller' });
  });

  it('a body over max_response_bytes → too_large (streamed and declared)', async () => {
    expect(await call(http, upstream.url(''), 'GET', '/big', {}, { max_response_bytes: 1000 })).toMatchObject({ kind: 'too_large', status: 200 });
    expect(await call(http, upstream.url(''), 'GET', '/big-declared', {}, { max_response_bytes: 1000 })).toMatchObject({ kind: 'too_large', status: 200 });
    expect(await call(http, upstream.url(''), 'GET', '/big', {}, { max_response_bytes: 1200 })).toMatchObject({ kind: 'response', status: 200 });
  });

  it('a connection destroyed by the upstream → network', async () => {
    const result = await call(http, upstream.url(''), 'GET', '/destroy');
    expect(result).toMatchObject({ kind: 'network' });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('a refused port → network', async () => {
    const port = await freeLoopbackPort();
    const result = await call(http, `http://127.0.0.1:${port}`, 'GET', '/');
    expect(result).toMatchObject({ kind: 'network' });
    expect((result as { message: string }).message).toMatch(/ECONNREFUSED/);
  });

  it('no connection within connect_ms → timeout connect', async () => {
    const blackhole = await startBlackholeListener();
    try {
      const result = await call(http, `http://127.0.0.1:${blackhole.port}`, 'GET', '/', {}, { connect_ms: 200 });
      expect(result).toMatchObject({ kind: 'timeout', phase: 'connect' });
      expect(result.durationMs).toBeLessThan(2_000);
    } finally {
      blackhole.stop();
    }
  });

  it('a missing secret is invalid and names no value', async () => {
    const result = await http.attempt(
      attemptRequest({ connector: { name: 'api', type: 'http', config: { base_url: upstream.url(''), auth: { kind: 'header', header_name: 'x-key', secret_ref: 'k' } } }, operation: httpOperation('GET', '/') }),
    );
    expect(result).toEqual({ kind: 'invalid', message: 'secret for /auth/secret_ref is not available', durationMs: 0 });
  });

  it('a missing path value is invalid and nothing is sent', async () => {
    const before = upstream.requests.length;
    expect(await call(http, upstream.url(''), 'GET', '/items/{id}')).toMatchObject({ kind: 'invalid' });
    expect(upstream.requests.length).toBe(before);
  });
});

describe('HttpRuntime egress (loopback e2e)', () => {
  let forbidden: LoopbackServer;
  let allowed: LoopbackServer;
  let openOnly127002: ConnectorRuntimes;
  let closed: ConnectorRuntimes;

  beforeAll(async () => {
    forbidden = await startLoopbackServer('127.0.0.1', (_req, res) => res.end('forbidden upstream reached'));
    allowed = await startLoopbackServer('127.0.0.2', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"from":"127.0.0.2"}');
    });
    openOnly127002 = new ConnectorRuntimes({ policy: new EgressPolicy('127.0.0.2/32'), resolveAll });
    closed = new ConnectorRuntimes({ policy: new EgressPolicy(), resolveAll });
  });

  afterAll(async () => {
    await openOnly127002.close();
    await closed.close();
    await forbidden.close();
    await allowed.close();
  });

  afterEach(() => {
    expect(forbidden.connections).toBe(0);
  });

  const runtime = (r: ConnectorRuntimes): ConnectorRuntime => {
    const found = r.get('http');
    if (found === undefined) throw new Error('no http runtime');
    return found;
  };

  it('a policy without loopback blocks the call; the upstream sees no connection', async () => {
    const result = await call(runtime(closed), forbidden.url(''), 'GET', '/');
    expect(result).toMatchObject({ kind: 'blocked', error: { code: 'EGRESS_BLOCKED', reason: 'loopback' } });
    expect((result as { error: unknown }).error).toBeInstanceOf(EgressBlockedError);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('127.0.0.2/32 opens 127.0.0.2 only', async () => {
    expect(await call(runtime(openOnly127002), allowed.url(''), 'GET', '/')).toMatchObject({ kind: 'response', status: 200, output: { from: '127.0.0.2' } });
    expect(await call(runtime(openOnly127002), forbidden.url(''), 'GET', '/')).toMatchObject({ kind: 'blocked' });
  });

  it.each(['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', 'localhost', 'rebind.test'])('the loopback form %s is blocked with no connection', async (host) => {
    const result = await call(runtime(openOnly127002), `http://${host}:${forbidden.port}`, 'GET', '/');
    expect(result).toMatchObject({ kind: 'blocked', error: { code: 'EGRESS_BLOCKED' } });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
