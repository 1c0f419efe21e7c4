import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { EventLogEntity } from '@orch/data';
import { ExecStack } from './support/exec-stack';

/**
 * POST /v1/execute through the reliability policy engine, against the real stack (control-api,
 * two exec-api instances, Postgres, Redis, a fake upstream): timeouts, retries and backoff,
 * Retry-After, the total deadline, the circuit breaker, rate limits and workspace quotas.
 * Every test uses its own workspace and connector: breaker and bucket keys are per
 * workspace + connector, so tests cannot see each other's state.
 */

/** Scheduling slack added to upper bounds (CI has 2 cores and runs Postgres and Redis beside us). */
const SLACK_MS = 700;

interface PolicySections {
  timeout?: Partial<{ connect_ms: number; read_ms: number; total_ms: number }>;
  retry?: Partial<{ max_attempts: number; base_delay_ms: number; max_delay_ms: number; jitter: 'full' | 'none'; retry_on: Array<string | number>; respect_retry_after: boolean }>;
  circuit_breaker?: Partial<{ window_ms: number; min_requests: number; failure_rate_threshold: number; open_ms: number; half_open_probes: number }>;
  rate_limit?: Partial<{ capacity: number; refill_per_sec: number }>;
}

/** Whole sections, so a test reads every value it relies on here rather than in a default elsewhere. */
function policyOf(overrides: PolicySections): Record<string, unknown> {
  return {
    timeout: { connect_ms: 500, read_ms: 1000, total_ms: 3000, ...overrides.timeout },
    retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, jitter: 'full', retry_on: ['network', 'timeout', 429, 502, 503, 504], respect_retry_after: true, ...overrides.retry },
    circuit_breaker: { window_ms: 10_000, min_requests: 100, failure_rate_threshold: 0.5, open_ms: 1000, half_open_probes: 1, ...overrides.circuit_breaker },
    rate_limit: { capacity: 10_000, refill_per_sec: 10_000, ...overrides.rate_limit },
  };
}

interface ErrorEnvelope {
  code: string;
  message: string;
  request_id: string;
  details?: Record<string, unknown>;
}

/** The one error envelope (DESIGN §4): exactly `{error: {code, message, request_id, details?}}`, no stack trace. */
function expectError(res: request.Response, status: number, code: string): ErrorEnvelope {
  expect({ status: res.status, code: (res.body as { error?: { code?: string } }).error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body as object)).toEqual(['error']);
  const error = (res.body as { error: ErrorEnvelope }).error;
  expect(error).toEqual(expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }));
  expect(Object.keys(error).filter((k) => !['code', 'message', 'request_id', 'details'].includes(k))).toEqual([]);
  expect(error.request_id).toBe(res.headers['x-request-id']);
  expectNoStackTrace(res);
  return error;
}

function expectNoStackTrace(res: request.Response): void {
  expect(res.text).not.toMatch(/"stack"|\n\s+at [\w.<]|\(\/[^)]*\.[jt]s:\d+:\d+\)/);
}

function gapsOf(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(50);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A loopback port whose TCP handshake never completes: a listener (backlog 1) in a worker thread
 * whose event loop is blocked, so nothing is ever accepted; two connections fill the accept queue
 * and Linux then drops every further SYN — a connect that hangs until connect_ms, on loopback.
 */
async function startBlackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const net = require('node:net');
     const { parentPort, workerData } = require('node:worker_threads');
     const server = net.createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0);
       server.close();
     });`,
    { eval: true, workerData: flag },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (p: number) => resolve(p));
    worker.once('error', reject);
  });
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve());
      socket.once('error', reject);
      fillers.push(socket);
    });
  }
  return {
    port,
    async close() {
      for (const socket of fillers) socket.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await worker.terminate();
    },
  };
}

describe('POST /v1/execute — reliability policies', () => {
  let stack: ExecStack;

  beforeAll(async () => {
    stack = await ExecStack.start({ secondExec: true });
  });
  afterAll(async () => stack?.close());
  beforeEach(() => stack.upstream.reset());

  /** A fresh workspace, its execute token and a connector with the given policy. */
  async function setup(policy: PolicySections = {}, quotas?: Record<string, number>, baseUrl?: string) {
    const { ws, token } = await stack.workspace();
    if (quotas) await stack.setQuotas(ws.id, quotas);
    const { connector } = await stack.httpConnector(ws.id, { policy: policyOf(policy), ...(baseUrl ? { baseUrl } : {}) });
    const execToken = await token();
    const call = (extra: Record<string, unknown> = {}, instance: 1 | 2 = 1): request.Test =>
      stack.execute(execToken, { connector, operation: 'get_thing', payload: { id: '1' }, ...extra }, {}, instance);
    const timed = async (extra: Record<string, unknown> = {}, instance: 1 | 2 = 1): Promise<{ res: request.Response; ms: number }> => {
      const started = Date.now();
      const res = await call(extra, instance);
      return { res, ms: Date.now() - started };
    };
    return { wsId: ws.id, connector, call, timed };
  }

  async function eventTypes(wsId: string, types: string[]): Promise<EventLogEntity[]> {
    const rows = await stack.control.app.get(DataSource).getRepository(EventLogEntity).find({ where: { workspaceId: wsId }, order: { id: 'ASC' } });
    return rows.filter((e) => types.includes(e.type));
  }

  describe('timeouts', () => {
    it('answers 504 UPSTREAM_TIMEOUT (read) after retrying a slow upstream max_attempts times', async () => {
      const { timed } = await setup({ timeout: { connect_ms: 200, read_ms: 200, total_ms: 3000 }, retry: { max_attempts: 2 } });
      stack.upstream.setHandler(() => ({ delayMs: 3000 }));
      const { res, ms } = await timed();
      const error = expectError(res, 504, 'UPSTREAM_TIMEOUT');
      expect(error.details).toMatchObject({ timeout: 'read', attempts: 2, execution_id: expect.any(String) });
      expect(stack.upstream.requests).toHaveLength(2);
      // Each attempt is cut at connect_ms + read_ms (the transport's response deadline), far before the upstream's 3 s.
      expect(ms).toBeGreaterThanOrEqual(2 * 200);
      expect(ms).toBeLessThan(2 * (200 + 200 + SLACK_MS));
    });

    it('answers 504 (read) when the headers come in time but the body does not', async () => {
      const { timed } = await setup({ timeout: { connect_ms: 200, read_ms: 200, total_ms: 3000 }, retry: { max_attempts: 1 } });
      stack.upstream.enqueue({ status: 200, body: { late: true }, bodyDelayMs: 3000 });
      const { res, ms } = await timed();
      expect(expectError(res, 504, 'UPSTREAM_TIMEOUT').details).toMatchObject({ timeout: 'read', attempts: 1 });
      expect(stack.upstream.requests).toHaveLength(1);
      expect(ms).toBeLessThan(200 + 200 + SLACK_MS);
    });

    it('stops at the request timeout_ms when it is shorter than read_ms (504 total, not retried)', async () => {
      const { timed } = await setup({ timeout: { connect_ms: 500, read_ms: 2000, total_ms: 5000 }, retry: { max_attempts: 3 } });
      stack.upstream.setHandler(() => ({ delayMs: 3000 }));
      const { res, ms } = await timed({ timeout_ms: 300 });
      expect(expectError(res, 504, 'UPSTREAM_TIMEOUT').details).toMatchObject({ timeout: 'total', attempts: 1 });
      expect(stack.upstream.requests).toHaveLength(1);
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(300 + SLACK_MS);
    });

    it('bounds the attempts by the total deadline, not max_attempts, and returns within total_ms', async () => {
      const totalMs = 700;
      const { timed } = await setup({ timeout: { connect_ms: 100, read_ms: 500, total_ms: totalMs }, retry: { max_attempts: 10, base_delay_ms: 10, max_delay_ms: 10, jitter: 'none' } });
      stack.upstream.setHandler(() => ({ status: 503, delayMs: 250, body: { error: 'busy' } }));
      const { res, ms } = await timed();
      // The last attempt either got its 503 in before the deadline (502) or was cut by it (504 total).
      expect([502, 504]).toContain(res.status);
      const error = expectError(res, res.status, res.status === 502 ? 'UPSTREAM_ERROR' : 'UPSTREAM_TIMEOUT');
      const attempts = error.details?.['attempts'] as number;
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(attempts).toBeLessThanOrEqual(3); // ⌈700 / (250 + 10)⌉
      expect(stack.upstream.requests).toHaveLength(attempts);
      // No attempt starts at or after the deadline.
      const first = stack.upstream.requests[0]?.at as number;
      for (const r of stack.upstream.requests) expect(r.at - first).toBeLessThan(totalMs);
      expect(ms).toBeLessThan(totalMs + SLACK_MS);
    });

    it('answers 504 (connect) when the TCP handshake never completes, retried per policy', async () => {
      const blackhole = await startBlackhole();
      try {
        // connect_ms 250 is used by no other test: undici keeps one pool per connect timeout.
        const { timed } = await setup({ timeout: { connect_ms: 250, read_ms: 1000, total_ms: 3000 }, retry: { max_attempts: 2 } }, undefined, `http://127.0.0.1:${blackhole.port}`);
        const { res, ms } = await timed();
        expect(expectError(res, 504, 'UPSTREAM_TIMEOUT').details).toMatchObject({ timeout: 'connect', attempts: 2 });
        // connect_ms is honoured to within scheduling slack, also below undici's ~1 s fast-timer resolution.
        expect(stack.upstream.requests).toHaveLength(0);
        expect(ms).toBeGreaterThanOrEqual(2 * 250 - 10);
        expect(ms).toBeLessThan(2 * 250 + 50 + SLACK_MS);
      } finally {
        await blackhole.close();
      }
    });
  });

  describe('retries', () => {
    it('retries 503, 503 and succeeds on the third attempt', async () => {
      const { call } = await setup();
      stack.upstream.enqueue({ status: 503 }, { status: 503 }, { status: 200, body: { done: true } });
      const res = await call().expect(200);
      expect(res.body).toMatchObject({ status: 'succeeded', attempts: 3, output: { done: true }, upstream: { status: 200 } });
      expect(stack.upstream.requests).toHaveLength(3);
    });

    it('does not retry a 400: 502 UPSTREAM_ERROR with upstream_status 400 after one attempt', async () => {
      const { call } = await setup();
      stack.upstream.setHandler(() => ({ status: 400, body: { error: 'bad input' } }));
      const error = expectError(await call(), 502, 'UPSTREAM_ERROR');
      expect(error.details).toMatchObject({ upstream_status: 400, attempts: 1, upstream_body: { error: 'bad input' } });
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('retries a network error (socket closed without an answer), and answers 502 UPSTREAM_UNREACHABLE when all attempts fail', async () => {
      const { call } = await setup();
      stack.upstream.enqueue({ destroy: true }, { status: 200, body: { second: true } });
      const ok = await call().expect(200);
      expect(ok.body).toMatchObject({ attempts: 2, output: { second: true } });
      expect(stack.upstream.requests).toHaveLength(2);

      stack.upstream.reset();
      stack.upstream.setHandler(() => ({ destroy: true }));
      expect(expectError(await call(), 502, 'UPSTREAM_UNREACHABLE').details).toMatchObject({ attempts: 3 });
      expect(stack.upstream.requests).toHaveLength(3);
    });

    it('does not retry a 503 that retry_on does not list', async () => {
      const { call } = await setup({ retry: { retry_on: ['network', 'timeout', 502] } });
      stack.upstream.setHandler(() => ({ status: 503 }));
      expect(expectError(await call(), 502, 'UPSTREAM_ERROR').details).toMatchObject({ upstream_status: 503, attempts: 1 });
      expect(stack.upstream.requests).toHaveLength(1);
    });

    it('waits a full-jitter delay in [0, max_delay_ms] between attempts', async () => {
      const { call } = await setup({ retry: { max_attempts: 5, base_delay_ms: 100, max_delay_ms: 100, jitter: 'full' } });
      stack.upstream.setHandler(() => ({ status: 503 }));
      const gaps: number[] = [];
      for (let i = 0; i < 2; i++) {
        stack.upstream.requests.length = 0;
        expect(expectError(await call(), 502, 'UPSTREAM_ERROR').details).toMatchObject({ attempts: 5 });
        expect(stack.upstream.requests).toHaveLength(5);
        gaps.push(...gapsOf(stack.upstream.requests.map((r) => r.at)));
      }
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(gap).toBeLessThan(100 + 250);
      }
      // Really jittered: eight draws all ≥ 75 of [0, 100] has probability ≈ 0.25^8 ≈ 2e-5.
      expect(Math.min(...gaps)).toBeLessThan(80);
    });

    it('waits exactly the exponential backoff without jitter (base 80 → ≥ 80 ms, then ≥ 160 ms)', async () => {
      const { call } = await setup({ retry: { max_attempts: 3, base_delay_ms: 80, max_delay_ms: 1000, jitter: 'none' } });
      stack.upstream.setHandler(() => ({ status: 503 }));
      expect(expectError(await call(), 502, 'UPSTREAM_ERROR').details).toMatchObject({ attempts: 3 });
      const [first, second] = gapsOf(stack.upstream.requests.map((r) => r.at)) as [number, number];
      // 1 ms of tolerance: timers and Date.now() round to whole milliseconds.
      expect(first).toBeGreaterThanOrEqual(79);
      expect(first).toBeLessThan(80 + 250);
      expect(second).toBeGreaterThanOrEqual(159);
      expect(second).toBeLessThan(160 + 250);
    });

    it("honours the upstream's Retry-After (respect_retry_after true) beyond max_delay_ms", async () => {
      const { call } = await setup({ retry: { respect_retry_after: true } });
      stack.upstream.enqueue({ status: 503, headers: { 'retry-after': '1' } }, { status: 200 });
      const res = await call().expect(200);
      expect(res.body.attempts).toBe(2);
      const [gap] = gapsOf(stack.upstream.requests.map((r) => r.at)) as [number];
      expect(gap).toBeGreaterThanOrEqual(999);
      expect(gap).toBeLessThan(1000 + SLACK_MS);
    });

    it('ignores Retry-After when respect_retry_after is false', async () => {
      const { call } = await setup({ retry: { respect_retry_after: false } });
      stack.upstream.enqueue({ status: 503, headers: { 'retry-after': '1' } }, { status: 200 });
      expect((await call().expect(200)).body.attempts).toBe(2);
      const [gap] = gapsOf(stack.upstream.requests.map((r) => r.at)) as [number];
      expect(gap).toBeLessThan(50 + 400);
    });

    it('does not retry when Retry-After points past the deadline, and passes a 429 Retry-After on', async () => {
      const { timed } = await setup({ timeout: { total_ms: 3000 } });
      stack.upstream.enqueue({ status: 503, headers: { 'retry-after': '5' } });
      const first = await timed();
      expect(expectError(first.res, 502, 'UPSTREAM_ERROR').details).toMatchObject({ upstream_status: 503, attempts: 1 });
      expect(first.ms).toBeLessThan(SLACK_MS + 300);
      expect(stack.upstream.requests).toHaveLength(1);

      stack.upstream.enqueue({ status: 429, headers: { 'retry-after': '5' } });
      const second = await timed();
      expect(expectError(second.res, 502, 'UPSTREAM_ERROR').details).toMatchObject({ upstream_status: 429, attempts: 1 });
      expect(second.res.headers['retry-after']).toBe('5');
      expect(stack.upstream.requests).toHaveLength(2);
    });
  });

  describe('circuit breaker', () => {
    // open_ms 800 rather than the minimum: the "still open" call right after opening must land well inside it on a slow CI.
    const openMs = 800;
    const breaker = { window_ms: 10_000, min_requests: 4, failure_rate_threshold: 0.5, open_ms: openMs, half_open_probes: 1 };

    async function openBreaker(call: () => request.Test): Promise<void> {
      stack.upstream.setHandler(() => ({ status: 503 }));
      for (let i = 0; i < 4; i++) expectError(await call(), 502, 'UPSTREAM_ERROR');
      expect(stack.upstream.requests).toHaveLength(4);
    }

    it('opens after min_requests failures, fails fast without calling the upstream, then closes after a successful probe', async () => {
      const { wsId, call } = await setup({ circuit_breaker: breaker, retry: { max_attempts: 1 } });
      await openBreaker(() => call());
      const openedAt = Date.now();

      const open = await call();
      expectError(open, 503, 'CIRCUIT_OPEN');
      expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(stack.upstream.requests).toHaveLength(4);

      await sleep(Math.max(0, openedAt + openMs + 100 - Date.now()));
      stack.upstream.setHandler(() => ({ status: 200, body: { back: true } }));
      const probe = await call().expect(200);
      expect(probe.body).toMatchObject({ attempts: 1, output: { back: true } });
      expect(stack.upstream.requests).toHaveLength(5);
      for (let i = 0; i < 3; i++) await call().expect(200);
      expect(stack.upstream.requests).toHaveLength(8);

      await eventually(async () => {
        const events = await eventTypes(wsId, ['breaker.opened', 'breaker.half_open', 'breaker.closed']);
        expect(events.map((e) => e.type)).toEqual(['breaker.opened', 'breaker.half_open', 'breaker.closed']);
        expect(events.map((e) => e.data)).toEqual([
          expect.objectContaining({ from: 'closed', to: 'open' }),
          expect.objectContaining({ from: 'open', to: 'half_open' }),
          expect.objectContaining({ from: 'half_open', to: 'closed' }),
        ]);
      });
    });

    it('re-opens when the half-open probe fails', async () => {
      const { wsId, call } = await setup({ circuit_breaker: breaker, retry: { max_attempts: 1 } });
      await openBreaker(() => call());
      await sleep(openMs + 100);

      expect(expectError(await call(), 502, 'UPSTREAM_ERROR').details).toMatchObject({ upstream_status: 503, attempts: 1 });
      expect(stack.upstream.requests).toHaveLength(5);
      const reopened = await call();
      expectError(reopened, 503, 'CIRCUIT_OPEN');
      expect(reopened.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));
      expect(stack.upstream.requests).toHaveLength(5);

      await eventually(async () => {
        const events = await eventTypes(wsId, ['breaker.opened', 'breaker.half_open', 'breaker.closed']);
        expect(events.map((e) => e.type)).toEqual(['breaker.opened', 'breaker.half_open', 'breaker.opened']);
        expect(events[2]?.data).toMatchObject({ from: 'half_open', to: 'open' });
      });
    });
    it('admits exactly half_open_probes (1) probe among concurrent calls once open_ms has passed', async () => {
      const { call } = await setup({ circuit_breaker: breaker, retry: { max_attempts: 1 } });
      await openBreaker(() => call());
      await sleep(openMs + 100);

      stack.upstream.setHandler(() => ({ status: 200, delayMs: 500 }));
      const results = await Promise.all([call(), call(), call()]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 503, 503]);
      for (const r of results.filter((x) => x.status === 503)) expectError(r, 503, 'CIRCUIT_OPEN');
      expect(stack.upstream.requests).toHaveLength(5);
      stack.upstream.setHandler(() => ({ status: 200 }));
      await call().expect(200);
    });

    it('stops retrying when the breaker opens between attempts: the last upstream failure is the answer', async () => {
      const { call } = await setup({ circuit_breaker: { ...breaker, min_requests: 2 }, retry: { max_attempts: 5 } });
      stack.upstream.setHandler(() => ({ status: 503 }));
      expect(expectError(await call(), 502, 'UPSTREAM_ERROR').details).toMatchObject({ upstream_status: 503, attempts: 2 });
      expect(stack.upstream.requests).toHaveLength(2);
      expectError(await call(), 503, 'CIRCUIT_OPEN');
      expect(stack.upstream.requests).toHaveLength(2);
    });
  });

  describe('state shared across two exec-api instances', () => {
    it('an open breaker opened through instance 1 refuses on instance 2 without calling the upstream', async () => {
      const { call } = await setup({ circuit_breaker: { min_requests: 4, failure_rate_threshold: 0.5, open_ms: 5000 }, retry: { max_attempts: 1 } });
      stack.upstream.setHandler(() => ({ status: 503 }));
      for (let i = 0; i < 4; i++) expectError(await call({}, 1), 502, 'UPSTREAM_ERROR');
      expect(stack.upstream.requests).toHaveLength(4);

      const res = await call({}, 2);
      expectError(res, 503, 'CIRCUIT_OPEN');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(stack.upstream.requests).toHaveLength(4);
    });

    it('one token bucket for both instances: capacity 10 gives exactly 10 successes in all', async () => {
      const { call } = await setup({ rate_limit: { capacity: 10, refill_per_sec: 0.001 } });
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => call({}, i % 2 === 0 ? 1 : 2)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      for (const r of results.filter((x) => x.status === 429)) expectError(r, 429, 'RATE_LIMITED');
      expect(stack.upstream.requests).toHaveLength(10);
    });
  });

  describe('rate limit', () => {
    it('admits exactly capacity (50) of 200 concurrent calls; the others get 429 RATE_LIMITED with RateLimit-* and Retry-After', async () => {
      const { wsId, call } = await setup({ rate_limit: { capacity: 50, refill_per_sec: 0.001 } }, { rps: 100_000, concurrency: 1000 });
      const results = await Promise.all(Array.from({ length: 200 }, () => call()));
      const ok = results.filter((r) => r.status === 200);
      const limited = results.filter((r) => r.status === 429);
      expect({ ok: ok.length, limited: limited.length }).toEqual({ ok: 50, limited: 150 });
      expect(stack.upstream.requests).toHaveLength(50);
      // Each success took one token atomically: the remainders are 49, 48, … 0, each seen once.
      expect(ok.map((r) => Number(r.headers['ratelimit-remaining'])).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      for (const r of ok) expect(r.headers['ratelimit-limit']).toBe('50');
      for (const r of limited) {
        expectError(r, 429, 'RATE_LIMITED');
        expect(r.headers['retry-after']).toEqual(expect.stringMatching(/^[1-9]\d*$/));
        expect(r.headers['ratelimit-limit']).toBe('50');
        expect(r.headers['ratelimit-remaining']).toBe('0');
        expect(r.headers['ratelimit-reset']).toEqual(expect.stringMatching(/^\d+$/));
      }
      await eventually(async () => {
        const events = await eventTypes(wsId, ['rate_limited']);
        expect(events.length).toBeGreaterThanOrEqual(1);
        expect(events[0]?.data).toMatchObject({ operation: 'get_thing', limit: 50 });
      });
    });
  });

  describe('workspace quotas', () => {
    it('rps: a burst of 20 against a quota of 5/s admits at most what the bucket allows; the rest are 429 QUOTA_EXCEEDED', async () => {
      const { wsId, call } = await setup({}, { rps: 5, concurrency: 100 });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 20 }, () => call()));
      const elapsedS = (Date.now() - started) / 1000;
      const ok = results.filter((r) => r.status === 200).length;
      const refused = results.filter((r) => r.status === 429);
      expect(ok).toBeGreaterThanOrEqual(1);
      // Capacity 5 plus whatever 5/s refilled while the burst was in flight (0 on a quick run).
      expect(ok).toBeLessThanOrEqual(5 + Math.floor(elapsedS * 5));
      expect(ok + refused.length).toBe(20);
      for (const r of refused) {
        expectError(r, 429, 'QUOTA_EXCEEDED');
        expect(r.headers['retry-after']).toEqual(expect.stringMatching(/^[1-9]\d*$/));
      }
      expect(stack.upstream.requests).toHaveLength(ok);
      await eventually(async () => {
        const events = await eventTypes(wsId, ['quota_exceeded']);
        expect(events[0]?.data).toMatchObject({ quota: 'rps', limit: 5 });
      });
    });

    it('concurrency: 6 concurrent calls against a quota of 2 → exactly 2 run, 4 × 429 QUOTA_EXCEEDED; leases are released afterwards', async () => {
      const { call } = await setup({}, { rps: 1000, concurrency: 2 });
      stack.upstream.setHandler(() => ({ status: 200, delayMs: 300 }));
      const results = await Promise.all(Array.from({ length: 6 }, () => call()));
      expect(results.filter((r) => r.status === 200)).toHaveLength(2);
      const refused = results.filter((r) => r.status === 429);
      expect(refused).toHaveLength(4);
      for (const r of refused) {
        expect(expectError(r, 429, 'QUOTA_EXCEEDED').message).toMatch(/concurrent/);
        expect(r.headers['retry-after']).toEqual(expect.stringMatching(/^[1-9]\d*$/));
      }
      expect(stack.upstream.requests).toHaveLength(2);

      stack.upstream.setHandler(() => ({ status: 200 }));
      const again = await Promise.all([call(), call()]);
      expect(again.map((r) => r.status)).toEqual([200, 200]);
    });
    it('concurrency: a lease is released when the execution fails (timeout), so the next call runs', async () => {
      const { call } = await setup({}, { rps: 1000, concurrency: 1 });
      stack.upstream.enqueue({ hang: true });
      expect(expectError(await call({ timeout_ms: 200 }), 504, 'UPSTREAM_TIMEOUT').details).toMatchObject({ timeout: 'total' });
      await call().expect(200);
      expect(stack.upstream.requests).toHaveLength(2);
    });
  });

  it('never shows a stack trace, even for a request the validation refuses', async () => {
    const { call } = await setup();
    const res = await call({ timeout_ms: 0, payload: 'nope' });
    expectError(res, 400, 'VALIDATION_FAILED');
    expectNoStackTrace(res);
  });
});
