// The baseline of bench/webhooks.bench.mjs: what receiving a signed webhook costs at the least. A
// bare Fastify server (the version Nest uses here) in its own process, with the ingress' route
// shape `POST /v1/webhooks/:provider/:routeKey`, that keeps the body as raw bytes, checks the
// signature with node:crypto (HMAC-SHA256, constant-time compare; Stripe's timestamp tolerance
// too), parses the JSON, INSERTs one row into a table shaped like webhook_inbox (same columns,
// indexes and foreign keys) with ON CONFLICT DO NOTHING through pg directly (a pool of 10, as the
// app's), reads the id of a duplicate, and adds one BullMQ job (job id = row id, as the app).
// No route lookup, no secret vault, no Nest, no telemetry: the secrets are handed over at start.
//
// argv[2]: JSON {databaseUrl, redisUrl, prefix, queue, table, routes: {<routeKey>: {provider,
// scheme, secret, workspaceId, routeId, header?, prefix?}}}. IPC out: {type:'listening', port}.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import pg from 'pg';

const config = JSON.parse(process.argv[2] ?? 'null');
if (!config?.databaseUrl || !config.redisUrl || !config.prefix || !config.queue || !/^[a-z_][a-z0-9_]*$/.test(config.table ?? '') || !config.routes) {
  console.error('usage: baseline-webhook.mjs <JSON {databaseUrl, redisUrl, prefix, queue, table, routes}>');
  process.exit(2);
}

const TOLERANCE_SECONDS = 300;
// Dropped from the stored headers, as the ingress does: credentials and signatures.
const DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'stripe-signature', 'webhook-signature']);

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10, application_name: 'bench-baseline-webhook' });
const redis = new URL(config.redisUrl);
const queue = new Queue(config.queue, {
  connection: { host: redis.hostname, port: Number(redis.port || 6379), db: Number(redis.pathname.slice(1) || 0), maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 },
  prefix: config.prefix,
});
queue.on('error', () => undefined);

const INSERT = `INSERT INTO ${config.table} (workspace_id, route_id, provider, event_id, event_type, headers, payload)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
  ON CONFLICT (workspace_id, provider, event_id) DO NOTHING
  RETURNING id`;
const SELECT = `SELECT id FROM ${config.table} WHERE workspace_id = $1 AND provider = $2 AND event_id = $3`;

function sameDigest(expected, hex) {
  if (typeof hex !== 'string' || hex.length !== 64 || !/^[0-9a-f]+$/i.test(hex)) return false;
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** True when the request carries a valid signature of `raw` for `route`. */
function verified(route, headers, raw) {
  if (route.scheme === 'stripe') {
    const header = headers['stripe-signature'];
    if (typeof header !== 'string') return false;
    let t;
    const v1 = [];
    for (const part of header.split(',')) {
      const eq = part.indexOf('=');
      if (part.slice(0, eq) === 't') t = part.slice(eq + 1);
      else if (part.slice(0, eq) === 'v1') v1.push(part.slice(eq + 1));
    }
    if (!t || !/^\d{1,12}$/.test(t)) return false;
    const expected = createHmac('sha256', route.secret).update(`${t}.`).update(raw).digest();
    let ok = false;
    for (const candidate of v1) if (sameDigest(expected, candidate)) ok = true;
    return ok && Math.abs(Math.floor(Date.now() / 1000) - Number(t)) <= TOLERANCE_SECONDS;
  }
  if (route.scheme === 'hmac-sha256') {
    const header = headers[route.header];
    const prefix = route.prefix ?? '';
    if (typeof header !== 'string' || !header.startsWith(prefix)) return false;
    return sameDigest(createHmac('sha256', route.secret).update(raw).digest(), header.slice(prefix.length));
  }
  return false;
}

function eventIdOf(route, payload) {
  const id = route.scheme === 'hmac-sha256' ? payload?.event?.id : payload?.id;
  return typeof id === 'string' ? id : undefined;
}

function storable(headers, route) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED.has(name) || name === route.header) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

app.post('/v1/webhooks/:provider/:routeKey', async (request, reply) => {
  const route = config.routes[request.params.routeKey];
  if (!route || route.provider !== request.params.provider) return reply.code(404).send({ error: { code: 'NOT_FOUND' } });
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (!verified(route, request.headers, raw)) return reply.code(400).send({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
  let payload;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    return reply.code(400).send({ error: { code: 'VALIDATION_FAILED' } });
  }
  const eventId = eventIdOf(route, payload);
  if (eventId === undefined) return reply.code(400).send({ error: { code: 'VALIDATION_FAILED' } });
  const type = typeof payload.type === 'string' ? payload.type : null;
  const inserted = await pool.query(INSERT, [route.workspaceId, route.routeId, route.provider, eventId, type, JSON.stringify(storable(request.headers, route)), JSON.stringify(payload)]);
  if (inserted.rows[0]) {
    const id = inserted.rows[0].id;
    await queue.add('webhook', { inbox_id: id, workspace_id: route.workspaceId }, { jobId: id, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    return { received: true, id, duplicate: false };
  }
  const existing = await pool.query(SELECT, [route.workspaceId, route.provider, eventId]);
  return { received: true, id: existing.rows[0]?.id, duplicate: true };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ type: 'listening', port: Number(new URL(address).port) });

const stop = () => void app.close().then(() => Promise.all([queue.close(), pool.end()])).then(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
