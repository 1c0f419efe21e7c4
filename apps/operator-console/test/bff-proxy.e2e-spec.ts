import { randomUUID } from 'node:crypto';
import { type ClientRequest, get, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DEMO_WORKSPACE_NAME, OperatorAuditLogEntity, seedDemo } from '@orch/data';
import { announceEvents, type WrittenEvent } from '@orch/execution';
import { REDIS_CLIENT } from '@orch/platform';
import { createTestOperator, expectEveryRouteHasAnAccessDecision, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
// The BFF proxies to the real control-api and exec-api, started in-process (exec-api's own stack helper).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { eventually, ExecStack, listenExec, type TestWorkspace } from '../../exec-api/test/support/exec-stack';
import { consoleApp } from '../server/app.definition';
import type { ConsoleConfig } from '../server/config';
import { sessionKeyOf } from '../server/session/session-cookie';
import type { StoredSession } from '../server/session/session.store';

const FIXTURE_SPA = join(__dirname, 'fixtures', 'spa');
const EXEC_REFUSAL = 'Start impersonating the workspace to call exec-api';

interface Login {
  cookie: string;
  csrf: string;
  sessionId: string;
}

/** Every answer the browser gets is checked: no JWT (they all start with eyJ) and no refresh token, in body or headers. */
function expectNoToken(res: { text?: string; headers: Record<string, unknown> }): void {
  const everything = `${res.text ?? ''}\n${JSON.stringify(res.headers)}`;
  expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  expect(everything).not.toMatch(/"(access|refresh|exec)_token"/);
}

function expectEnvelope(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: res.headers['x-request-id'] }) });
}

type Pending = Promise<request.Response> & { expect(status: number): Promise<request.Response> };

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** An EventSource stand-in over node:http: the cookie, the messages as they arrive, a clean close. */
class SseClient {
  readonly messages: SseMessage[] = [];
  raw = '';
  private buffer = '';
  ended = false;

  private constructor(
    private readonly req: ClientRequest,
    readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.push(chunk));
    res.on('close', () => (this.ended = true));
  }

  static open(url: string, headers: Record<string, string>): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => resolve(new SseClient(req, res)));
      req.on('error', reject);
    });
  }

  events(): Array<{ sseId: string; type: string; id: string }> {
    return this.messages.filter((m) => m.data !== undefined).map((m) => ({ sseId: m.id ?? '', type: m.event ?? '', id: (JSON.parse(m.data ?? '{}') as { id: string }).id }));
  }

  async close(): Promise<void> {
    if (this.ended) return;
    const done = new Promise<void>((resolve) => this.res.once('close', () => resolve()));
    this.req.destroy();
    await done;
  }

  private push(chunk: string): void {
    this.raw += chunk;
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        if (field === 'id' || field === 'event' || field === 'data') message[field] = line.slice(colon + 1).replace(/^ /, '');
      }
      if (Object.keys(message).length > 0) this.messages.push(message);
    }
  }
}

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The BFF's proxies and impersonation, against the real control-api and exec-api: the browser
 * holds a cookie and a CSRF token, the BFF adds the operator's (or the impersonation's) token.
 */
describe('operator-console BFF: proxies and impersonation', () => {
  let stack: ExecStack;
  let bff: TestApp<ConsoleConfig>;
  let bffUrl: string;
  let bffRedis: Redis;
  let execUrl: string;
  let controlUrl: string;
  let admin: TestOperator;
  let a: TestWorkspace;
  let b: TestWorkspace;
  const sse: SseClient[] = [];

  const bffEnv = (overrides: Record<string, string> = {}) => ({
    CONTROL_API_URL: controlUrl,
    EXEC_API_URL: execUrl,
    ORCH_JWKS_URL: `${controlUrl}/.well-known/jwks.json`,
    CONSOLE_SPA_DIR: FIXTURE_SPA,
    ...overrides,
  });

  async function login(app: TestApp<ConsoleConfig> = bff, who: TestOperator = admin): Promise<Login> {
    const res = await request(app.server).post('/api/session').send({ email: who.email, password: who.password }).expect(200);
    const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('orch_session='));
    if (!header) throw new Error('no session cookie');
    const cookie = header.split(';')[0];
    return { cookie, csrf: res.body.csrf_token as string, sessionId: cookie.split('=')[1] };
  }

  /** A BFF call as the browser makes it; every answer goes through expectNoToken. `.expect(status)` shows the body when it differs. */
  function call(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, options: { session?: Login; csrf?: string | null; body?: unknown; headers?: Record<string, string>; app?: TestApp<ConsoleConfig> } = {}): Pending {
    const pending = (async () => {
      let req = request((options.app ?? bff).server)[method](path);
      if (options.session) req = req.set('cookie', options.session.cookie);
      const csrf = options.csrf === undefined ? options.session?.csrf : options.csrf;
      if (csrf) req = req.set('x-csrf-token', csrf);
      if (options.headers) req = req.set(options.headers);
      const res = options.body === undefined ? await req : await req.send(options.body as object);
      expectNoToken(res);
      return res;
    })();
    return Object.assign(pending, {
      async expect(status: number): Promise<request.Response> {
        const res = await pending;
        expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status });
        return res;
      },
    });
  }

  function startImpersonation(session: Login, workspaceId: string, app?: TestApp<ConsoleConfig>): Pending {
    return call('post', '/api/impersonation', { session, body: { workspace_id: workspaceId, reason: 'ticket 42: reproduce in the playground', ttl_seconds: 300 }, ...(app ? { app } : {}) });
  }

  async function stored(sessionId: string): Promise<StoredSession> {
    const raw = await bffRedis.get(sessionKeyOf(sessionId));
    if (raw === null) throw new Error('session gone');
    return JSON.parse(raw) as StoredSession;
  }

  /** Inserts events into a workspace's log and announces them, as the worker does. */
  async function emit(workspaceId: string, types: string[]): Promise<string[]> {
    const dataSource = stack.exec.app.get(DataSource);
    const written: WrittenEvent[] = [];
    for (const type of types) {
      const [{ id }] = (await dataSource.query("INSERT INTO event_log (workspace_id, type, data) VALUES ($1, $2, '{}') RETURNING id::text AS id", [workspaceId, type])) as Array<{ id: string }>;
      written.push({ id, workspaceId, type, jobId: null, executionId: null, data: {} });
    }
    announceEvents(stack.exec.app.get<Redis>(REDIS_CLIENT), written, stack.redis.prefix);
    return written.map((e) => e.id);
  }

  async function openStream(path: string, session: Login | undefined, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(`${bffUrl}${path}`, { ...(session ? { cookie: session.cookie } : {}), ...headers });
    sse.push(client);
    return client;
  }

  async function execStreamsClosed(): Promise<number> {
    const metrics = await request(stack.exec.server).get('/metrics').expect(200);
    const line = metrics.text.split('\n').find((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/v1/events/stream"') && l.includes('status_code="200"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  beforeAll(async () => {
    stack = await ExecStack.start({ execEnv: { SSE_KEEPALIVE_MS: '200' } });
    controlUrl = `http://127.0.0.1:${(stack.control.app.getHttpServer().address() as AddressInfo).port}`;
    execUrl = await listenExec(stack);
    admin = await createTestOperator(stack.control.app, ['OperatorAdmin']);
    a = await stack.workspace();
    b = await stack.workspace();
    bff = await startTestApp(consoleApp, { database: false, env: bffEnv() });
    await bff.app.listen({ port: 0, host: '127.0.0.1' });
    bffUrl = `http://127.0.0.1:${(bff.app.getHttpServer().address() as AddressInfo).port}`;
    bffRedis = bff.app.get<Redis>(REDIS_CLIENT);
  });
  afterEach(async () => {
    await Promise.all(sse.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await bff?.close();
    await stack?.close();
  });

  it('gives every proxy and impersonation route an access rule that names it', () => {
    expectEveryRouteHasAnAccessDecision(bff.app);
  });

  describe('/api/control/*', () => {
    it('proxies a read with the operator token: status, body and query string', async () => {
      const session = await login();
      const one = await call('get', `/api/control/v1/workspaces/${a.ws.id}`, { session }).expect(200);
      expect(one.body).toMatchObject({ id: a.ws.id, name: a.ws.name });
      expect(one.headers['content-type']).toMatch(/^application\/json/);
      const page = await call('get', '/api/control/v1/workspaces?limit=1', { session }).expect(200);
      expect(page.body.data).toHaveLength(1);
    });

    it('forwards the request id and returns it; mints one when absent', async () => {
      const session = await login();
      const res = await call('get', `/api/control/v1/workspaces/${randomUUID()}`, { session, headers: { 'x-request-id': 'bff-proxy-test-rid-1' } });
      // control-api's own 404 envelope names the request id it received: ours.
      expectEnvelope(res, 404, 'NOT_FOUND');
      expect(res.body.error.request_id).toBe('bff-proxy-test-rid-1');
      expect(res.headers['x-request-id']).toBe('bff-proxy-test-rid-1');
      const minted = await call('get', `/api/control/v1/workspaces/${randomUUID()}`, { session }).expect(404);
      expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(minted.body.error.request_id).toBe(minted.headers['x-request-id']);
    });

    it('refuses without a session (401 envelope) and clears a stale cookie', async () => {
      expectEnvelope(await call('get', '/api/control/v1/workspaces'), 401, 'UNAUTHENTICATED');
      const stale = await request(bff.server).get('/api/control/v1/workspaces').set('cookie', `orch_session=${'A'.repeat(43)}`);
      expectEnvelope(stale, 401, 'UNAUTHENTICATED');
      expect(String(stale.headers['set-cookie'])).toMatch(/^orch_session=; .*Max-Age=0/);
      expectEnvelope(await call('post', `/api/control/v1/workspaces/${a.ws.id}/policies`, { body: { name: 'x' } }), 401, 'UNAUTHENTICATED');
    });

    it('refuses a mutation without or with a wrong x-csrf-token (403), whatever the method', async () => {
      const session = await login();
      const body = { name: `pol-${randomUUID().slice(0, 8)}`, reason: 'csrf test' };
      for (const method of ['post', 'put', 'patch', 'delete'] as const) {
        const missing = await call(method, `/api/control/v1/workspaces/${a.ws.id}/policies`, { session, csrf: null, body });
        expectEnvelope(missing, 403, 'FORBIDDEN');
        const wrong = await call(method, `/api/control/v1/workspaces/${a.ws.id}/policies`, { session, csrf: `${session.csrf.slice(0, -1)}x`, body });
        expectEnvelope(wrong, 403, 'FORBIDDEN');
      }
      // Nothing reached control-api.
      const list = await call('get', `/api/control/v1/workspaces/${a.ws.id}/policies`, { session }).expect(200);
      expect(list.body.data.map((p: { name: string }) => p.name)).not.toContain(body.name);
    });

    it('passes a mutation with the CSRF token through: body, 201 and control-api’s audit under the operator', async () => {
      const session = await login();
      const name = `pol-${randomUUID().slice(0, 8)}`;
      const res = await call('post', `/api/control/v1/workspaces/${a.ws.id}/policies`, { session, body: { name }, headers: { 'x-reason': 'created through the console' } }).expect(201);
      expect(res.body).toMatchObject({ name });
      const audit = await stack.control.app.get(DataSource).getRepository(OperatorAuditLogEntity).findOneOrFail({ where: { action: 'policy.create', workspaceId: a.ws.id, reason: 'created through the console' } });
      expect(audit).toMatchObject({ actorType: 'operator', actorId: admin.id });
    });

    it("passes control-api's refusals through as they are (400 with details, 403 of a role)", async () => {
      const session = await login();
      const invalid = await call('post', `/api/control/v1/workspaces/${a.ws.id}/policies`, { session, body: { name: 'Not Valid!', reason: 'bad' } });
      expectEnvelope(invalid, 400, 'VALIDATION_FAILED');
      const auditor = await createTestOperator(stack.control.app, ['ReadOnlyAuditor']);
      const readOnly = await login(bff, auditor);
      expectEnvelope(await call('post', `/api/control/v1/workspaces/${a.ws.id}/policies`, { session: readOnly, body: { name: 'nope', reason: 'auditor' } }), 403, 'FORBIDDEN');
    });

    it('refuses a body over 1 MiB with the 413 envelope, before any session work', async () => {
      const session = await login();
      const res = await call('post', `/api/control/v1/workspaces/${a.ws.id}/policies`, { session, body: { name: 'big', reason: 'x', blob: 'x'.repeat(1024 * 1024 + 1) } });
      expectEnvelope(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 404 for a path that tries to climb out of the proxy', async () => {
      const session = await login();
      const res = await request(bff.server).get('/api/control/%2e%2e/%2e%2e/api/session').set('cookie', session.cookie);
      expectEnvelope(res, 404, 'NOT_FOUND');
    });
  });

  describe('impersonation and /api/exec/*', () => {
    it('refuses exec-api calls until an impersonation runs (403 with the reason)', async () => {
      const session = await login();
      const res = await call('get', '/api/exec/v1/whoami', { session });
      expectEnvelope(res, 403, 'FORBIDDEN');
      expect(res.body.error.message).toBe(EXEC_REFUSAL);
      expectEnvelope(await call('get', '/api/exec/v1/whoami'), 401, 'UNAUTHENTICATED');
    });

    it('starts (CSRF), shows it in the session, serves exec-api as the workspace, and stops', async () => {
      const session = await login();
      expectEnvelope(await call('post', '/api/impersonation', { session, csrf: null, body: { workspace_id: a.ws.id, reason: 'x' } }), 403, 'FORBIDDEN');

      const started = await startImpersonation(session, a.ws.id).expect(201);
      expect(started.body).toEqual({ id: expect.any(String), workspace_id: a.ws.id, expires_at: expect.any(String) });
      expect(Date.parse(started.body.expires_at) - Date.now()).toBeGreaterThan(290_000);
      // The tokens stay server-side.
      const kept = await stored(session.sessionId);
      expect(kept.impersonation).toEqual({ ...started.body, exec_token: expect.stringMatching(/^eyJ/) });
      const state = await call('get', '/api/session', { session }).expect(200);
      expect(state.body.impersonation).toEqual(started.body);

      const whoami = await call('get', '/api/exec/v1/whoami', { session }).expect(200);
      expect(whoami.body).toMatchObject({ kind: 'impersonation', workspace_id: a.ws.id, impersonator_id: admin.id });

      const { connector } = await stack.httpConnector(a.ws.id);
      stack.upstream.enqueue({ status: 200, body: { id: '7', name: 'thing' } });
      const executed = await call('post', '/api/exec/v1/execute', { session, body: { connector, operation: 'get_thing', payload: { id: '7' } }, headers: { 'idempotency-key': `bff-${randomUUID()}` } }).expect(200);
      expect(executed.body).toMatchObject({ status: 'succeeded', output: { id: '7', name: 'thing' } });
      // Idempotency goes through both ways: the key upstream, the replay header back.
      const key = `bff-${randomUUID()}`;
      stack.upstream.enqueue({ status: 200, body: { id: '8' } });
      await call('post', '/api/exec/v1/execute', { session, body: { connector, operation: 'get_thing', payload: { id: '8' } }, headers: { 'idempotency-key': key } }).expect(200);
      const replayed = await call('post', '/api/exec/v1/execute', { session, body: { connector, operation: 'get_thing', payload: { id: '8' } }, headers: { 'idempotency-key': key } }).expect(200);
      expect(replayed.headers['idempotent-replayed']).toBe('true');

      // Another workspace's job is a 404 envelope from exec-api, passed through.
      const ofB = await stack.httpConnector(b.ws.id);
      const jobOfB = await request(stack.exec.server).post('/v1/jobs').set('authorization', `Bearer ${await b.token(['jobs:write'])}`).send({ connector: ofB.connector, operation: 'get_thing', payload: { id: '1' }, delay_ms: 60_000 }).expect(202);
      expectEnvelope(await call('get', `/api/exec/v1/jobs/${jobOfB.body.id as string}`, { session }), 404, 'NOT_FOUND');

      expectEnvelope(await call('post', '/api/impersonation', { session, body: { workspace_id: b.ws.id, reason: 'second' } }), 409, 'CONFLICT');

      expectEnvelope(await call('delete', '/api/impersonation', { session, csrf: null, body: { reason: 'done' } }), 403, 'FORBIDDEN');
      await call('delete', '/api/impersonation', { session, body: { reason: 'done with the ticket' } }).expect(204);
      expect((await stored(session.sessionId)).impersonation).toBeNull();
      expect((await call('get', '/api/session', { session }).expect(200)).body.impersonation).toBeNull();
      const after = await call('get', '/api/exec/v1/whoami', { session });
      expectEnvelope(after, 403, 'FORBIDDEN');
      expect(after.body.error.message).toBe(EXEC_REFUSAL);
      expectEnvelope(await call('delete', '/api/impersonation', { session, body: { reason: 'again' } }), 404, 'NOT_FOUND');

      const rows = await stack.control.app.get(DataSource).getRepository(OperatorAuditLogEntity).find({ where: { targetId: started.body.id } });
      expect(rows.map((r) => r.action).sort()).toEqual(['impersonation.start', 'impersonation.stop']);
      expect(rows.find((r) => r.action === 'impersonation.stop')?.reason).toBe('done with the ticket');
    });

    it("passes control-api's refusals of a start through (reason required, unknown workspace, a role without it)", async () => {
      const session = await login();
      expectEnvelope(await call('post', '/api/impersonation', { session, body: { workspace_id: a.ws.id } }), 400, 'REASON_REQUIRED');
      expectEnvelope(await call('post', '/api/impersonation', { session, body: { workspace_id: randomUUID(), reason: 'x' } }), 404, 'NOT_FOUND');
      expectEnvelope(await call('post', '/api/impersonation', { session, body: { workspace_id: 'nope', reason: 'x' } }), 400, 'VALIDATION_FAILED');
      const auditor = await createTestOperator(stack.control.app, ['ReadOnlyAuditor']);
      expectEnvelope(await call('post', '/api/impersonation', { session: await login(bff, auditor), body: { workspace_id: a.ws.id, reason: 'x' } }), 403, 'FORBIDDEN');
      expect((await stored(session.sessionId)).impersonation ?? null).toBeNull();
    });

    it('loses exec-api access at once when the impersonation is stopped in control-api (401 from exec-api)', async () => {
      const session = await login();
      const started = await startImpersonation(session, a.ws.id).expect(201);
      await call('get', '/api/exec/v1/whoami', { session }).expect(200);
      await request(stack.control.server).delete(`/v1/impersonation/${started.body.id}`).set('authorization', `Bearer ${admin.token}`).send({ reason: 'ended elsewhere' }).expect(200);
      expectEnvelope(await call('get', '/api/exec/v1/whoami', { session }), 401, 'UNAUTHENTICATED');
      // Stopping through the BFF then just forgets it (control-api says it is already over).
      await call('delete', '/api/impersonation', { session, body: { reason: 'cleanup' } }).expect(204);
    });

    it('keeps the impersonation across a refresh of the operator token, done first by a proxied call that is due', async () => {
      const who = await createTestOperator(stack.control.app, ['Support']);
      const session = await login(bff, who);
      const started = await startImpersonation(session, a.ws.id).expect(201);
      const before = await stored(session.sessionId);
      await bffRedis.set(sessionKeyOf(session.sessionId), JSON.stringify({ ...before, expires_at: new Date(Date.now() + 10_000).toISOString() }), 'KEEPTTL');
      await call('get', `/api/control/v1/workspaces/${a.ws.id}`, { session }).expect(200);
      const after = await stored(session.sessionId);
      expect(after.access_token).not.toBe(before.access_token);
      expect(after.impersonation).toEqual(before.impersonation);
      await call('get', '/api/exec/v1/whoami', { session }).expect(200);
      expect((await call('get', '/api/session', { session }).expect(200)).body.impersonation).toEqual(started.body);
    });

    it('stops a running impersonation at logout', async () => {
      const session = await login();
      const started = await startImpersonation(session, a.ws.id).expect(201);
      const execToken = (await stored(session.sessionId)).impersonation?.exec_token as string;
      await call('delete', '/api/session', { session }).expect(204);
      await eventually(async () => {
        await request(stack.exec.server).get('/v1/whoami').set('authorization', `Bearer ${execToken}`).expect(401);
      });
      const rows = await stack.control.app.get(DataSource).getRepository(OperatorAuditLogEntity).find({ where: { targetId: started.body.id, action: 'impersonation.stop' } });
      expect(rows).toHaveLength(1);
    });
  });

  describe('the seeded demo through the console', () => {
    it('runs the demo connector’s echo operation as demo-dev, the way the dev stack’s first start does', async () => {
      await seedDemo(stack.control.app.get(DataSource), { upstreamUrl: stack.upstream.url });
      const session = await login();
      const workspaces = await call('get', '/api/control/v1/workspaces?limit=100', { session }).expect(200);
      const demo = (workspaces.body.data as Array<{ id: string; name: string }>).find((w) => w.name === DEMO_WORKSPACE_NAME);
      if (!demo) throw new Error('demo-dev not listed');
      const connector = await call('get', `/api/control/v1/workspaces/${demo.id}/connectors/demo-upstream`, { session }).expect(200);
      expect(connector.body).toMatchObject({ type: 'http', config: { operations: [expect.objectContaining({ operation_id: 'echo' })] } });
      const active = await call('get', `/api/control/v1/workspaces/${demo.id}/configs/app-settings/active`, { session }).expect(200);
      expect(active.body).toMatchObject({ version: 'v1' });

      await startImpersonation(session, demo.id).expect(201);
      stack.upstream.enqueue({ status: 200, body: { echoed: { message: 'hi' } } });
      const run = await call('post', '/api/exec/v1/execute', { session, body: { connector: 'demo-upstream', operation: 'echo', payload: { message: 'hi' } } }).expect(200);
      expect(run.body).toMatchObject({ status: 'succeeded', output: { echoed: { message: 'hi' } } });
      const seen = stack.upstream.requests[stack.upstream.requests.length - 1];
      expect(seen).toMatchObject({ method: 'POST', url: '/echo' });
      expect(JSON.parse(seen.body)).toEqual({ message: 'hi' });
      // The payload schema is enforced: a bad payload never reaches the upstream.
      const calls = stack.upstream.requests.length;
      expectEnvelope(await call('post', '/api/exec/v1/execute', { session, body: { connector: 'demo-upstream', operation: 'echo', payload: { message: 5 } } }), 400, 'VALIDATION_FAILED');
      expect(stack.upstream.requests).toHaveLength(calls);
      await call('delete', '/api/impersonation', { session, body: { reason: 'demo done' } }).expect(204);
    });
  });

  describe('event stream through /api/exec/v1/events/stream', () => {
    it('streams events as they happen, resumes after Last-Event-ID, and ends the upstream stream when the browser leaves', async () => {
      const session = await login();
      await startImpersonation(session, a.ws.id).expect(201);
      const [seed] = await emit(a.ws.id, ['job.queued']);
      const closedBefore = await execStreamsClosed();

      const first = await openStream(`/api/exec/v1/events/stream?after=${seed}`, session, { 'x-request-id': 'bff-sse-rid-1' });
      expect(first.res.statusCode).toBe(200);
      expect(first.res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(first.res.headers['x-request-id']).toBe('bff-sse-rid-1');
      expect(first.res.headers['set-cookie']).toBeUndefined();

      const [one] = await emit(a.ws.id, ['job.started']);
      // Arrives while the stream is still open: nothing is buffered until the end.
      await eventually(async () => expect(first.events().map((e) => e.id)).toEqual([one]));
      expect(first.ended).toBe(false);
      const [two] = await emit(a.ws.id, ['job.succeeded']);
      await eventually(async () => expect(first.events().map((e) => e.id)).toEqual([one, two]));
      expect(first.events().map((e) => e.type)).toEqual(['job.started', 'job.succeeded']);
      expect(first.ended).toBe(false);
      await first.close();
      // exec-api saw its stream end when the browser left (it counts a request when it completes).
      await eventually(async () => expect(await execStreamsClosed()).toBeGreaterThan(closedBefore));

      const [three] = await emit(a.ws.id, ['job.cancelled']);
      const resumed = await openStream(`/api/exec/v1/events/stream?after=${seed}`, session, { 'last-event-id': one });
      await eventually(async () => expect(resumed.events().map((e) => e.id)).toEqual([two, three]));
      expectNoToken({ text: resumed.raw, headers: resumed.res.headers });
    });

    it('refuses a stream without a session (401) or without an impersonation (403)', async () => {
      const none = await openStream('/api/exec/v1/events/stream', undefined);
      expect(none.res.statusCode).toBe(401);
      const session = await login();
      const notImpersonating = await openStream('/api/exec/v1/events/stream', session);
      expect(notImpersonating.res.statusCode).toBe(403);
    });
  });

  describe('upstreams down', () => {
    let broken: TestApp<ConsoleConfig> | undefined;
    let controlDown: TestApp<ConsoleConfig> | undefined;
    afterAll(async () => {
      await broken?.close();
      await controlDown?.close();
    });

    it('answers 502 UPSTREAM_UNREACHABLE with the request id when exec-api or control-api does not answer', async () => {
      const port = await deadPort();
      // control-api reachable for the login; exec-api "down".
      broken = await startTestApp(consoleApp, { database: false, env: bffEnv({ EXEC_API_URL: `http://127.0.0.1:${port}` }) });
      const session = await login(broken);
      await startImpersonation(session, a.ws.id, broken).expect(201);
      const res = await call('get', '/api/exec/v1/whoami', { session, app: broken, headers: { 'x-request-id': 'bff-down-rid-1' } });
      expectEnvelope(res, 502, 'UPSTREAM_UNREACHABLE');
      expect(res.body.error.request_id).toBe('bff-down-rid-1');
      expect(res.body.error.message).toBe('exec-api is unreachable');

      // control-api "down" (its JWKS still answers, as a cached key set would): the session moved to a BFF that cannot reach it.
      controlDown = await startTestApp(consoleApp, { database: false, env: bffEnv({ CONTROL_API_URL: `http://127.0.0.1:${port}` }) });
      const live = await login();
      const raw = await bffRedis.get(sessionKeyOf(live.sessionId));
      await controlDown.app.get<Redis>(REDIS_CLIENT).set(sessionKeyOf(live.sessionId), raw as string, 'EX', 600);
      const down = await call('get', '/api/control/v1/workspaces', { session: live, app: controlDown });
      expectEnvelope(down, 502, 'UPSTREAM_UNREACHABLE');
      expect(down.body.error.message).toBe('control-api is unreachable');
    });
  });

  describe('gate (CONSOLE_ALLOW_CIDRS, CONSOLE_BASIC_AUTH)', () => {
    const gated: Array<TestApp<ConsoleConfig>> = [];
    afterAll(async () => {
      for (const app of gated) await app.close();
    });
    const gate = async (env: Record<string, string>): Promise<TestApp<ConsoleConfig>> => {
      const app = await startTestApp(consoleApp, { database: false, env: bffEnv(env) });
      gated.push(app);
      return app;
    };
    const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

    it('asks for basic auth (401 envelope) before anything else, and lets the right credentials through', async () => {
      const app = await gate({ CONSOLE_BASIC_AUTH: 'ops:a-long-console-password' });
      const bare = await request(app.server).get('/');
      expectEnvelope(bare, 401, 'UNAUTHENTICATED');
      expect(bare.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expectEnvelope(await request(app.server).get('/api/session').set('authorization', basic('ops:wrong')), 401, 'UNAUTHENTICATED');
      const through = await request(app.server).get('/api/session').set('authorization', basic('ops:a-long-console-password'));
      expectEnvelope(through, 401, 'UNAUTHENTICATED');
      expect(through.body.error.message).toBe('No valid console session');
      await request(app.server).get('/').set('authorization', basic('ops:a-long-console-password')).expect(200);
      // Probes stay open.
      await request(app.server).get('/health').expect(200);
    });

    it('refuses addresses outside the allowlist (403 envelope), never trusting a forged X-Forwarded-For', async () => {
      const closed = await gate({ CONSOLE_ALLOW_CIDRS: '10.0.0.0/8' });
      expectEnvelope(await request(closed.server).get('/api/session').set('x-forwarded-for', '10.1.2.3'), 403, 'FORBIDDEN');
      const open = await gate({ CONSOLE_ALLOW_CIDRS: '10.0.0.0/8, 127.0.0.0/8, ::1' });
      expectEnvelope(await request(open.server).get('/api/session'), 401, 'UNAUTHENTICATED');
      const proxied = await gate({ CONSOLE_ALLOW_CIDRS: '10.0.0.0/8', CONSOLE_GATE_TRUST_PROXY: 'true' });
      expectEnvelope(await request(proxied.server).get('/api/session').set('x-forwarded-for', '10.9.9.9, 192.0.2.1'), 403, 'FORBIDDEN');
      expectEnvelope(await request(proxied.server).get('/api/session').set('x-forwarded-for', '192.0.2.1, 10.9.9.9'), 401, 'UNAUTHENTICATED');
    });
  });
});
