import { DataSource } from 'typeorm';
import request from 'supertest';
import type { AppDefinition, BaseConfig } from '@orch/platform';
import { expectEveryRouteHasAnAccessDecision } from './access-coverage';
import { ProbeModule } from './probe.module';
import { startTestApp, type TestApp } from './test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectEnvelope(body: unknown, code: string, requestId: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: requestId }) });
}

/**
 * The platform contract every HTTP app keeps (issue: foundation): health, readiness, metrics,
 * OpenAPI, the error envelope for every kind of failure, and request ids. Each app's e2e
 * suite calls this with its own definition, so the contract is proven on the real app.
 */
export interface PlatformContractOptions {
  /** Readiness dependencies of the app. Default: Postgres and Redis. */
  dependencies?: Array<'postgres' | 'redis'>;
}

export function describePlatformContract<C extends BaseConfig>(definition: AppDefinition<C>, options: PlatformContractOptions = {}): void {
  const dependencies = options.dependencies ?? ['postgres', 'redis'];
  const database = dependencies.includes('postgres');
  describe(`${definition.serviceName} platform contract`, () => {
    let t: TestApp<C>;

    beforeAll(async () => {
      t = await startTestApp(definition, { extraModules: [ProbeModule], database });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('gives every route an explicit access decision (a rule of the matrix, or a platform route)', () => {
      expectEveryRouteHasAnAccessDecision(t.app);
    });

    describe('health and readiness', () => {
      it('answers /health with ok and a generated request id', async () => {
        const res = await request(t.server).get('/health').expect(200);
        expect(res.body).toEqual({ status: 'ok' });
        expect(res.headers['x-request-id']).toMatch(UUID);
      });

      it('answers /ready when Postgres and Redis are reachable', async () => {
        const res = await request(t.server).get('/ready').expect(200);
        expect(res.body.ready).toBe(true);
        expect(res.body.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(dependencies));
      });
    });

    describe('metrics', () => {
      it('serves Prometheus text with process metrics and a histogram per route template', async () => {
        await request(t.server).get('/health').expect(200);
        await request(t.server).get('/v1/does-not-exist/123').expect(404);
        const res = await request(t.server).get('/metrics').expect(200);
        expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(res.text).toContain('process_cpu_seconds_total');
        expect(res.text).toContain(`http_request_duration_seconds_count{service="${definition.serviceName}",route="/health",method="GET",status_code="200"}`);
        // Unknown URLs are one label value, not one per URL.
        expect(res.text).toContain('route="UNMATCHED"');
        expect(res.text).not.toContain('/v1/does-not-exist/123');
      });
    });

    describe('OpenAPI', () => {
      it('serves the document at /docs-json and the UI at /docs', async () => {
        const json = await request(t.server).get('/docs-json').expect(200);
        expect(json.body.openapi).toMatch(/^3\./);
        expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
        const ui = await request(t.server).get('/docs').redirects(1).expect(200);
        expect(ui.text).toContain('swagger');
      });
    });

    describe('error envelope', () => {
      it('answers an unknown route with 404 NOT_FOUND', async () => {
        const res = await request(t.server).get('/v1/nope').expect(404);
        expectEnvelope(res.body, 'NOT_FOUND', res.headers['x-request-id']);
      });

      it('answers malformed JSON with 400 VALIDATION_FAILED, even on an unknown route', async () => {
        for (const path of ['/__probe/echo', '/v1/nope']) {
          const res = await request(t.server).post(path).set('content-type', 'application/json').send('{').expect(400);
          expectEnvelope(res.body, 'VALIDATION_FAILED', res.headers['x-request-id']);
        }
      });

      it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
        const big = JSON.stringify({ name: 'x'.repeat(t.config.BODY_LIMIT_BYTES) });
        const res = await request(t.server).post('/__probe/echo').set('content-type', 'application/json').send(big).expect(413);
        expectEnvelope(res.body, 'PAYLOAD_TOO_LARGE', res.headers['x-request-id']);
      });

      it('answers an unsupported content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
        const res = await request(t.server).post('/__probe/echo').set('content-type', 'application/xml').send('<a/>').expect(415);
        expectEnvelope(res.body, 'UNSUPPORTED_MEDIA_TYPE', res.headers['x-request-id']);
      });

      it('answers DTO violations with 400 and one detail per field, unknown fields rejected', async () => {
        const res = await request(t.server)
          .post('/__probe/echo')
          .send({ name: 'ab', count: 11, limits: { max: 0 }, extra: true })
          .expect(400);
        expectEnvelope(res.body, 'VALIDATION_FAILED', res.headers['x-request-id']);
        const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
        expect(paths).toEqual(['/count', '/extra', '/limits/max', '/name']);
        for (const detail of res.body.error.details) expect(detail.message).toEqual(expect.any(String));
      });

      it('accepts a valid DTO', async () => {
        const res = await request(t.server).post('/__probe/echo').send({ name: 'valid', count: 2, limits: { max: 3 } }).expect(201);
        expect(res.body).toEqual({ name: 'valid', count: 2, limits: { max: 3 } });
      });

      it('answers an unexpected failure with 500 INTERNAL and no stack or SQL', async () => {
        const res = await request(t.server).get('/__probe/boom').expect(500);
        expectEnvelope(res.body, 'INTERNAL', res.headers['x-request-id']);
        expect(res.text).not.toMatch(/SELECT|operator_secrets|at .*\.ts:\d+/);
      });

      it('carries the headers a domain error asks for', async () => {
        const res = await request(t.server).get('/__probe/rate-limited').expect(429);
        expectEnvelope(res.body, 'RATE_LIMITED', res.headers['x-request-id']);
        expect(res.headers['retry-after']).toBe('3');
        expect(res.body.error.details).toEqual({ limit: 1 });
      });
    });

    describe('request ids', () => {
      it('keeps a well-formed incoming x-request-id on success and error', async () => {
        const id = 'req-test-0123456789';
        const ok = await request(t.server).get('/health').set('x-request-id', id).expect(200);
        expect(ok.headers['x-request-id']).toBe(id);
        const err = await request(t.server).get('/v1/nope').set('x-request-id', id).expect(404);
        expect(err.headers['x-request-id']).toBe(id);
        expect(err.body.error.request_id).toBe(id);
      });

      it('replaces a malformed one', async () => {
        const res = await request(t.server).get('/health').set('x-request-id', 'bad id; drop').expect(200);
        expect(res.headers['x-request-id']).toMatch(UUID);
      });
    });
  });

  describe(`${definition.serviceName} readiness with a dependency down`, () => {
    let t: TestApp<C>;

    beforeAll(async () => {
      // Nothing listens on port 1: Redis is unreachable from the first moment.
      t = await startTestApp(definition, { env: { REDIS_URL: 'redis://127.0.0.1:1' }, database });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('stays alive but answers /ready with 503 UNAVAILABLE naming Redis', async () => {
      await request(t.server).get('/health').expect(200);
      const res = await request(t.server).get('/ready').expect(503);
      expectEnvelope(res.body, 'UNAVAILABLE', res.headers['x-request-id']);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'redis', status: 'down' })]));
      if (database) expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'postgres', status: 'up' })]));
      expect(res.text).not.toContain('127.0.0.1:1');
    });

    if (database) {
      it('names Postgres too once its connection is gone', async () => {
        await t.app.get(DataSource).destroy();
        const res = await request(t.server).get('/ready').expect(503);
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'postgres', status: 'down' })]));
      });
    }
  });
}
