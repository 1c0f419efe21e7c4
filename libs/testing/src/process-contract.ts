import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runBuiltAppToExit, startBuiltApp, type BuiltAppProcess } from './built-app';
import { TEST_MASTER_KEY } from './test-app';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestRedisPrefix, TEST_REDIS_URL, type TestRedisPrefix } from './test-redis';

export interface ProcessContractOptions {
  /** The app's port variable (set to 0 so the OS picks a free port). */
  portVariable: string;
  /** false for apps without Postgres. Default true. */
  database?: boolean;
}

/** A loopback OTLP/HTTP collector that records the paths it was sent. */
async function startFakeCollector(): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, paths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * What only the built bundle, run as a process, can show: a bad environment stops it with a
 * message naming each variable; its stdout is JSON with request ids and trace ids; OpenTelemetry
 * loads first and exports over OTLP when told to; SIGTERM stops it cleanly.
 */
export function describeProcessContract(app: string, options: ProcessContractOptions): void {
  const database = options.database !== false;

  describe(`${app} as a process`, () => {
    let db: TestDatabase | undefined;
    let redis: TestRedisPrefix;

    beforeAll(async () => {
      db = database ? await createTestDatabase() : undefined;
      redis = createTestRedisPrefix();
    });
    afterAll(async () => {
      await redis?.clear();
      await db?.drop();
    });

    const baseEnv = (): Record<string, string> => ({
      ORCH_ENV: 'test',
      HOST: '127.0.0.1',
      [options.portVariable]: '0',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'info',
      ORCH_JWT_KEYS_DIR: join(tmpdir(), `orch-test-keys-${redis.prefix.replace(/:$/, '')}`),
      ORCH_MASTER_KEY: TEST_MASTER_KEY,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });

    it('refuses to start on a bad environment, naming each variable', async () => {
      const env: Record<string, string> = { ...baseEnv(), REDIS_URL: 'not-a-url', LOG_LEVEL: 'loud' };
      if (database) delete env['DATABASE_URL'];
      const result = await runBuiltAppToExit(app, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('refusing to start');
      expect(result.stderr).toContain('REDIS_URL');
      expect(result.stderr).toContain('LOG_LEVEL');
      if (database) expect(result.stderr).toContain('DATABASE_URL: is required but not set');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });

    describe('running', () => {
      let proc: BuiltAppProcess;
      let collector: Awaited<ReturnType<typeof startFakeCollector>>;

      beforeAll(async () => {
        collector = await startFakeCollector();
        proc = await startBuiltApp(app, { ...baseEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
      });
      afterAll(async () => {
        await proc?.stop();
        await collector?.close();
      });

      it('logs JSON lines carrying the request id and the trace id of the request', async () => {
        const requestId = 'proc-test-request-0001';
        const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
        const res = await fetch(`http://127.0.0.1:${proc.port}/v1/nope`, {
          headers: { 'x-request-id': requestId, traceparent: `00-${traceId}-00f067aa0ba902b7-01`, authorization: 'Bearer secret-token-value' },
        });
        expect(res.status).toBe(404);
        expect(res.headers.get('x-request-id')).toBe(requestId);
        await waitFor(() => proc.logs.some((l) => l['request_id'] === requestId), 5000);
        const line = proc.logs.find((l) => l['request_id'] === requestId);
        expect(line).toMatchObject({ service: app, request_id: requestId, trace_id: traceId, res: { status: 404 } });
        expect(JSON.stringify(proc.logs)).not.toContain('secret-token-value');
      });

      it('exports spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
        await fetch(`http://127.0.0.1:${proc.port}/health`);
        await waitFor(() => collector.paths.includes('/v1/traces'), 10_000);
      });

      it('keeps probes and scrapes out of the request log', async () => {
        for (const path of ['/health', '/ready', '/metrics', '/v1/probe-marker']) await fetch(`http://127.0.0.1:${proc.port}${path}`);
        await waitFor(() => proc.logs.some((l) => (l['req'] as { url?: string } | undefined)?.url === '/v1/probe-marker'), 5000);
        const logged = proc.logs.map((l) => (l['req'] as { url?: string } | undefined)?.url).filter(Boolean);
        expect(logged).not.toEqual(expect.arrayContaining(['/health']));
        expect(logged).not.toEqual(expect.arrayContaining(['/ready']));
        expect(logged).not.toEqual(expect.arrayContaining(['/metrics']));
      });

      it('serves health and stops cleanly on SIGTERM', async () => {
        const res = await fetch(`http://127.0.0.1:${proc.port}/health`);
        expect(await res.json()).toEqual({ status: 'ok' });
        // Nest closes the app, then re-raises the signal: a clean stop ends by SIGTERM or with 0.
        expect([0, 'SIGTERM']).toContain(await proc.stop('SIGTERM'));
        expect(proc.stderr()).toBe('');
      });
    });
  });
}
