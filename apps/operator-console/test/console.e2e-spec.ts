import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '@orch/testing';
import { consoleApp } from '../server/app.definition';
import type { ConsoleConfig } from '../server/config';
import { CONTENT_SECURITY_POLICY } from '../server/http/security-headers';
import { closedPortUrl, type FakeUpstream, startFakeUpstream } from './fake-upstream';

const FIXTURE_SPA = join(__dirname, 'fixtures', 'spa');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function expectSecurityHeaders(headers: Record<string, string>): void {
  expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-frame-options']).toBe('DENY');
}

describe('operator-console BFF', () => {
  let t: TestApp<ConsoleConfig>;
  let controlApi: FakeUpstream;
  let execApiDown: string;

  beforeAll(async () => {
    controlApi = await startFakeUpstream();
    execApiDown = await closedPortUrl();
    t = await startTestApp(consoleApp, { database: false, env: { CONSOLE_SPA_DIR: FIXTURE_SPA, CONTROL_API_URL: controlApi.url, EXEC_API_URL: execApiDown } });
  });
  afterAll(async () => {
    await t?.close();
    await controlApi?.close();
  });

  describe('the SPA', () => {
    it.each(['/', '/login', '/workspaces/3f6c/connectors?tab=all'])('answers a browser navigation to %s with index.html, not cached', async (path) => {
      const res = await request(t.server).get(path).set('accept', BROWSER_ACCEPT).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toContain('console fixture');
    });

    it('serves content-hashed assets cached for a year', async () => {
      const res = await request(t.server).get('/assets/app-Fx7kQ2mZ.js').expect(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });

    it('serves other build files revalidated', async () => {
      const res = await request(t.server).get('/robots.txt').expect(200);
      expect(res.headers['cache-control']).toBe('no-cache');
    });

    it('answers a missing asset with the JSON 404 envelope, not index.html', async () => {
      const res = await request(t.server).get('/assets/gone-AAAAAAAA.js').set('accept', '*/*').expect(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', request_id: res.headers['x-request-id'] });
    });

    it('answers HEAD for a client-side route', async () => {
      const res = await request(t.server).head('/login').set('accept', BROWSER_ACCEPT).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    });

    it('does not answer other methods on client-side routes with the SPA', async () => {
      const res = await request(t.server).post('/login').set('accept', BROWSER_ACCEPT).send({}).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('the API space', () => {
    it('keeps an unknown /api route a JSON 404 envelope, even for a browser', async () => {
      for (const accept of [BROWSER_ACCEPT, 'application/json']) {
        const res = await request(t.server).get('/api/nope').set('accept', accept).expect(404);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), request_id: res.headers['x-request-id'] } });
      }
    });

    it('keeps the platform endpoints their own for a browser', async () => {
      const health = await request(t.server).get('/health').set('accept', BROWSER_ACCEPT).expect(200);
      expect(health.body).toEqual({ status: 'ok' });
      const unknownMetrics = await request(t.server).get('/metrics/nope').set('accept', BROWSER_ACCEPT).expect(404);
      expect(unknownMetrics.body.error.code).toBe('NOT_FOUND');
    });

    it('exposes the public webhook-ingress URL (null when unset), nothing else', async () => {
      const unset = await request(t.server).get('/api/bff/config').expect(200);
      expect(unset.body).toEqual({ webhook_ingress_url: null });
      const configured = await startTestApp(consoleApp, { database: false, env: { CONSOLE_SPA_DIR: FIXTURE_SPA, CONTROL_API_URL: controlApi.url, EXEC_API_URL: execApiDown, CONSOLE_WEBHOOK_INGRESS_URL: 'https://hooks.example.com/' } });
      try {
        const res = await request(configured.server).get('/api/bff/config').expect(200);
        expect(res.body).toEqual({ webhook_ingress_url: 'https://hooks.example.com' });
        expect(res.headers['cache-control']).toBe('no-store');
      } finally {
        await configured.close();
      }
    });

    it('reports an upstream that answers /health as up and a closed port as down', async () => {
      const started = Date.now();
      const res = await request(t.server).get('/api/bff/upstreams').expect(200);
      expect(res.body).toEqual({ control_api: 'up', exec_api: 'down' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(controlApi.paths).toContain('/health');
      expect(Date.now() - started).toBeLessThan(1500);
    });
  });

  describe('security headers', () => {
    it.each([
      ['the SPA', '/login', BROWSER_ACCEPT],
      ['an asset', '/assets/app-Fx7kQ2mZ.js', '*/*'],
      ['an API answer', '/api/bff/upstreams', 'application/json'],
      ['an error envelope', '/api/nope', 'application/json'],
      ['a platform endpoint', '/health', 'application/json'],
    ])('are on %s', async (_kind, path, accept) => {
      const res = await request(t.server).get(path).set('accept', accept);
      expectSecurityHeaders(res.headers);
    });
  });
});

describe('operator-console BFF upstream probe', () => {
  let t: TestApp<ConsoleConfig>;
  let slow: FakeUpstream;
  let failing: FakeUpstream;

  beforeAll(async () => {
    slow = await startFakeUpstream({ status: 200, delayMs: 3000 });
    failing = await startFakeUpstream({ status: 503 });
    t = await startTestApp(consoleApp, { database: false, env: { CONSOLE_SPA_DIR: FIXTURE_SPA, CONTROL_API_URL: slow.url, EXEC_API_URL: failing.url } });
  });
  afterAll(async () => {
    await t?.close();
    await slow?.close();
    await failing?.close();
  });

  it('reports an upstream down when it does not answer within 1 s, or answers non-2xx', async () => {
    const started = Date.now();
    const res = await request(t.server).get('/api/bff/upstreams').expect(200);
    expect(res.body).toEqual({ control_api: 'down', exec_api: 'down' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

const silentBootLog = { info: (): void => undefined, warn: (): void => undefined };

describe('operator-console preflight', () => {
  it('refuses to start when CONSOLE_SPA_DIR has no index.html, naming the variable', async () => {
    const config = Object.assign(new (consoleApp.configClass)(), { CONSOLE_SPA_DIR: join(__dirname, 'fixtures', 'missing') });
    await expect(consoleApp.preflight?.(config, silentBootLog)).rejects.toThrow(/^CONSOLE_SPA_DIR: .*index\.html does not exist/);
  });

  it('accepts a built SPA', async () => {
    const config = Object.assign(new (consoleApp.configClass)(), { CONSOLE_SPA_DIR: FIXTURE_SPA });
    await expect(consoleApp.preflight?.(config, silentBootLog)).resolves.toBeUndefined();
  });
});
