import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { pino } from 'pino';
import { installRequestLogging } from './request-logging';

/** A pino root writing JSON lines into an array. */
function capturingRoot(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, root: pino({ level, messageKey: 'msg' }, stream) };
}

async function appWith(level?: string) {
  const { lines, root } = capturingRoot(level);
  const app = Fastify({ genReqId: (req) => String(req.headers['x-request-id'] ?? 'generated') });
  installRequestLogging(app, root);
  app.get('/things/:id', async (request) => {
    // What Nest's Logger does inside a request: the store's logger carries the request id.
    (storage.getStore()?.logger as PinoLogger['logger']).info({ thing: (request.params as { id: string }).id }, 'inside');
    return { ok: true };
  });
  app.get('/boom', async (_request, reply) => reply.code(503).send({ error: 'down' }));
  app.get('/health', async () => ({ status: 'ok' }));
  await app.ready();
  return { app, lines };
}

describe('installRequestLogging', () => {
  it('writes one completion line per request and binds the request id to lines logged while handling it', async () => {
    const { app, lines } = await appWith();
    const res = await app.inject({ method: 'GET', url: '/things/7?x=1', headers: { 'x-request-id': 'req-1', 'user-agent': 'spec', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    expect(res.statusCode).toBe(200);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'inside', request_id: 'req-1', thing: '7' });
    expect(lines[1]).toMatchObject({
      level: 30,
      msg: 'request completed',
      request_id: 'req-1',
      req: { method: 'GET', url: '/things/7?x=1', headers: { 'user-agent': 'spec' } },
      res: { status: 200 },
      trace_id: '0af7651916cd43dd8448eb211c80319c',
    });
    expect(typeof lines[1]?.['responseTime']).toBe('number');
    await app.close();
  });

  it('logs a 5xx as "request errored" with err (level info, as pino-http did), and nothing for health probes', async () => {
    const { app, lines } = await appWith();
    await app.inject({ method: 'GET', url: '/health' });
    await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'req-2' } });
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'request errored', request_id: 'req-2', res: { status: 503 }, err: expect.objectContaining({ type: 'Error', message: 'failed with status code 503' }) }),
    ]);
    await app.close();
  });

  it('writes nothing below the configured level', async () => {
    const { app, lines } = await appWith('warn');
    await app.inject({ method: 'GET', url: '/things/1' });
    expect(lines).toEqual([]);
    await app.close();
  });

  it('keeps requests apart: concurrent requests log their own ids', async () => {
    const { app, lines } = await appWith();
    await Promise.all(Array.from({ length: 10 }, (_, i) => app.inject({ method: 'GET', url: `/things/${i}`, headers: { 'x-request-id': `r${i}` } })));
    const inside = lines.filter((line) => line['msg'] === 'inside');
    expect(inside).toHaveLength(10);
    for (const line of inside) expect(line['request_id']).toBe(`r${String(line['thing'])}`);
    await app.close();
  });
});
