import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Response } from 'supertest';
import { DataSource, type Repository } from 'typeorm';
import { IdempotencyKeyEntity } from '@orch/data';
import { closeSettled, ExecStack, listenExec, type TestWorkspace } from './support/exec-stack';

const ENDPOINT = 'POST /v1/execute';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A fresh key per test, so tests never see each other's stored responses. */
function newKey(label: string): string {
  return `${label}-${randomBytes(8).toString('hex')}`;
}

/** The headers a replay must repeat exactly (the first answer's own, minus per-request ones). */
function replayableHeaders(res: Response): Record<string, string | undefined> {
  return {
    'ratelimit-limit': res.headers['ratelimit-limit'],
    'ratelimit-remaining': res.headers['ratelimit-remaining'],
    'ratelimit-reset': res.headers['ratelimit-reset'],
    'retry-after': res.headers['retry-after'],
    'content-type': res.headers['content-type'],
  };
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** POST /v1/execute with raw headers, so a header can be sent twice (supertest's set() cannot). */
function rawExecute(baseUrl: string, rawHeaders: string[], body: string): Promise<{ status: number; body: string }> {
  const url = new URL('/v1/execute', baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        // A raw header array is sent as is: Host and Content-Length are not added for us.
        headers: ['Host', url.host, 'Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body)), ...rawHeaders],
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Idempotency-Key on POST /v1/execute (DESIGN §4): replay, reuse, in-flight, concurrency, scope, validation, storage. */
describe('POST /v1/execute with Idempotency-Key', () => {
  let stack: ExecStack;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let tokenA: string;
  let tokenB: string;
  let connector: string;
  let baseUrl: string;
  let keys: Repository<IdempotencyKeyEntity>;

  beforeAll(async () => {
    stack = await ExecStack.start();
    a = await stack.workspace();
    b = await stack.workspace();
    // Many requests in a short time: the default rps quota (50/s) must not be what answers.
    await stack.setQuotas(a.ws.id, { rps: 10_000, concurrency: 100, queue_depth: 10_000 });
    await stack.setQuotas(b.ws.id, { rps: 10_000, concurrency: 100, queue_depth: 10_000 });
    tokenA = await a.token();
    tokenB = await b.token();
    ({ connector } = await stack.httpConnector(a.ws.id, { name: 'things' }));
    await stack.httpConnector(b.ws.id, { name: 'things' });
    baseUrl = await listenExec(stack);
    keys = stack.control.app.get(DataSource).getRepository(IdempotencyKeyEntity);
  });
  afterAll(async () => closeSettled(stack));
  beforeEach(() => stack.upstream.reset());

  const storedRow = (workspaceId: string, key: string) => keys.findOne({ where: { workspaceId, endpoint: ENDPOINT, key } });

  describe('replay', () => {
    it('replays the first answer byte for byte (status, body text, RateLimit-* as first sent) with Idempotent-Replayed only on the replay', async () => {
      const key = newKey('replay');
      stack.upstream.enqueue({ status: 201, body: { id: 't1', name: 'widget' } });
      const first = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 'widget' } }, { 'Idempotency-Key': key });
      expect(first.status).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(first.headers['ratelimit-remaining']).toEqual(expect.any(String));

      // A call in between moves the bucket: a replay must still show the first answer's numbers.
      await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: 'x' } }).expect(200);

      const replay = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 'widget' } }, { 'Idempotency-Key': key });
      expect(replay.status).toBe(first.status);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replayableHeaders(replay)).toEqual(replayableHeaders(first));
      // Only the first request and the unkeyed one in between reached the upstream.
      expect(stack.upstream.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    });

    it('treats the same body with its keys in another order as the same request', async () => {
      const key = newKey('order');
      const first = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: '1', expand: 'all', page: 2 } }, { 'Idempotency-Key': key }).expect(200);
      const reordered = await stack.execute(tokenA, { payload: { page: 2, expand: 'all', id: '1' }, operation: 'get_thing', connector }, { 'Idempotency-Key': key });
      expect(reordered.status).toBe(200);
      expect(reordered.text).toBe(first.text);
      expect(reordered.headers['idempotent-replayed']).toBe('true');
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('stores an upstream failure and replays it identically without calling the upstream again', async () => {
      const key = newKey('failure');
      // 500 is not in the test policy's retry_on: one attempt, mapped to 502 UPSTREAM_ERROR.
      stack.upstream.setHandler(() => ({ status: 500, body: { error: 'boom' } }));
      const first = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: 'f' } }, { 'Idempotency-Key': key });
      expect(first.status).toBe(502);
      expect(first.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { upstream_status: 500, attempts: 1 } });
      expect(stack.upstream.requests).toHaveLength(1);

      const replay = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: 'f' } }, { 'Idempotency-Key': key });
      expect(replay.status).toBe(502);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replayableHeaders(replay)).toEqual(replayableHeaders(first));
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('keeps a completed response for 24 h (expires_at ≈ now + 24 h)', async () => {
      const key = newKey('ttl');
      const before = Date.now();
      await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: 't' } }, { 'Idempotency-Key': key }).expect(200);
      const after = Date.now();
      const row = await storedRow(a.ws.id, key);
      expect(row).toMatchObject({ status: 'completed', responseStatus: 200, lockedUntil: null });
      const expiresAt = row?.expiresAt.getTime() ?? 0;
      expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
      expect(expiresAt).toBeLessThanOrEqual(after + DAY_MS + 1000);
    });
  });

  describe('conflicts', () => {
    it('refuses the same key with a different body (422 IDEMPOTENCY_KEY_REUSED) without calling the upstream', async () => {
      const key = newKey('reuse');
      await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: '1' } }, { 'Idempotency-Key': key }).expect(200);
      const other = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: '2' } }, { 'Idempotency-Key': key });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(other.headers['idempotent-replayed']).toBeUndefined();
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('answers 409 IDEMPOTENCY_IN_PROGRESS while the first request is in flight, then replays once it completed', async () => {
      const key = newKey('inflight');
      stack.upstream.enqueue({ status: 200, body: { slow: true }, delayMs: 500 });
      const body = { connector, operation: 'get_thing', payload: { id: 'slow' } };
      const first = stack.execute(tokenA, body, { 'Idempotency-Key': key }).then((res) => res);
      await until(() => stack.upstream.requests.length === 1);

      const during = await stack.execute(tokenA, body, { 'Idempotency-Key': key });
      expect(during.status).toBe(409);
      expect(during.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');

      const done = await first;
      expect(done.status).toBe(200);
      expect(done.body.output).toEqual({ slow: true });

      const afterwards = await stack.execute(tokenA, body, { 'Idempotency-Key': key });
      expect(afterwards.status).toBe(200);
      expect(afterwards.text).toBe(done.text);
      expect(afterwards.headers['idempotent-replayed']).toBe('true');
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('calls the upstream exactly once for 50 concurrent requests with one key: one 200, the others 409 or replays', async () => {
      const key = newKey('burst');
      stack.upstream.setHandler(() => ({ status: 200, body: { once: true }, delayMs: 500 }));
      const body = { connector, operation: 'get_thing', payload: { id: 'burst' } };
      const answers = await Promise.all(Array.from({ length: 50 }, () => stack.execute(tokenA, body, { 'Idempotency-Key': key }).then((res) => res)));

      expect(stack.upstream.requests).toHaveLength(1);
      const original = answers.filter((res) => res.status === 200 && res.headers['idempotent-replayed'] === undefined);
      expect(original).toHaveLength(1);
      for (const res of answers) {
        if (res === original[0]) continue;
        if (res.status === 200) {
          expect(res.headers['idempotent-replayed']).toBe('true');
          expect(res.text).toBe(original[0]?.text);
        } else {
          expect(res.status).toBe(409);
          expect(res.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
        }
      }
      // The burst arrives well within the 500 ms the upstream takes: most of it must have been refused.
      expect(answers.filter((res) => res.status === 409).length).toBeGreaterThan(0);

      const later = await stack.execute(tokenA, body, { 'Idempotency-Key': key });
      expect(later.status).toBe(200);
      expect(later.headers['idempotent-replayed']).toBe('true');
      expect(later.text).toBe(original[0]?.text);
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('keys are per workspace: the same key in two workspaces runs twice', async () => {
      const key = newKey('tenants');
      const body = { connector: 'things', operation: 'get_thing', payload: { id: 'w' } };
      const inA = await stack.execute(tokenA, body, { 'Idempotency-Key': key });
      const inB = await stack.execute(tokenB, body, { 'Idempotency-Key': key });
      expect(inA.status).toBe(200);
      expect(inB.status).toBe(200);
      expect(inA.headers['idempotent-replayed']).toBeUndefined();
      expect(inB.headers['idempotent-replayed']).toBeUndefined();
      expect(inB.body.execution_id).not.toBe(inA.body.execution_id);
      expect(stack.upstream.requests).toHaveLength(2);
      expect(await storedRow(a.ws.id, key)).not.toBeNull();
      expect(await storedRow(b.ws.id, key)).not.toBeNull();
    });
  });

  describe('the header itself', () => {
    it('accepts a key of 255 characters and refuses 256 (400 VALIDATION_FAILED at /headers/idempotency-key)', async () => {
      const ok = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: 'k255' } }, { 'Idempotency-Key': newKey('max').padEnd(255, 'k') });
      expect(ok.status).toBe(200);

      const tooLong = await stack.execute(tokenA, { connector, operation: 'get_thing', payload: { id: 'k256' } }, { 'Idempotency-Key': 'k'.repeat(256) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: '/headers/idempotency-key', message: expect.any(String) }] });
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('refuses an Idempotency-Key header sent twice (400) without calling the upstream', async () => {
      const body = JSON.stringify({ connector, operation: 'get_thing', payload: { id: 'twice' } });
      const res = await rawExecute(baseUrl, ['Authorization', `Bearer ${tokenA}`, 'Idempotency-Key', newKey('a'), 'Idempotency-Key', newKey('b')], body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: '/headers/idempotency-key' }] });
      expect(stack.upstream.requests).toHaveLength(0);

      // The same raw path with the header once works: the 400 is about the repeat.
      const once = await rawExecute(baseUrl, ['Authorization', `Bearer ${tokenA}`, 'Idempotency-Key', newKey('once')], body);
      expect(once.status).toBe(200);
    });
  });

  describe('stores nothing', () => {
    it('for a request that fails payload validation: the key then serves a valid body (200, upstream called)', async () => {
      const key = newKey('invalid');
      const bad = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 7 } }, { 'Idempotency-Key': key });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
      expect(await storedRow(a.ws.id, key)).toBeNull();

      const good = await stack.execute(tokenA, { connector, operation: 'create_thing', payload: { name: 'ok' } }, { 'Idempotency-Key': key });
      expect(good.status).toBe(200);
      expect(good.headers['idempotent-replayed']).toBeUndefined();
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('for a request refused before the upstream (429 RATE_LIMITED)', async () => {
      const { connector: limited } = await stack.httpConnector(a.ws.id, { policy: { rate_limit: { capacity: 1, refill_per_sec: 0.001 } } });
      const k1 = newKey('k1');
      const k2 = newKey('k2');
      const body = { connector: limited, operation: 'get_thing', payload: { id: 'rl' } };
      const first = await stack.execute(tokenA, body, { 'Idempotency-Key': k1 });
      expect(first.status).toBe(200);

      const refused = await stack.execute(tokenA, body, { 'Idempotency-Key': k2 });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.headers['retry-after']).toEqual(expect.any(String));
      expect(refused.headers['ratelimit-limit']).toBe('1');
      expect(stack.upstream.requests).toHaveLength(1);

      expect(await storedRow(a.ws.id, k1)).toMatchObject({ status: 'completed', responseStatus: 200 });
      expect(await storedRow(a.ws.id, k2)).toBeNull();

      // Not stored, so a retry with K2 is evaluated again (still limited) rather than replayed.
      const again = await stack.execute(tokenA, body, { 'Idempotency-Key': k2 });
      expect(again.status).toBe(429);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
    });
  });
});
