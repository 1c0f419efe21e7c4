import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bullPrefix, QUEUES, type WebhookQueueData } from '@orch/contracts';
import { type AppDefinition, redisConnectionOptions } from '@orch/platform';
import { createTestDatabase, createTestOperator, createTestWorkspace, startTestApp, TEST_REDIS_URL, type TestApp, type TestDatabase, type TestOperator } from '@orch/testing';
// Routes and secrets are made through control-api's real API, as operators do.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../control-api/src/app.definition';
import { webhookIngressApp } from '../src/app.definition';
import type { WebhookIngressConfig } from '../src/config';

type ControlApiConfig = typeof controlApiApp extends AppDefinition<infer C> ? C : never;

const stripe = new Stripe('sk_test_x');

interface Route {
  id: string;
  route_key: string;
  ingress_path: string;
}

interface InboxRow {
  id: string;
  workspace_id: string;
  event_id: string;
  event_type: string | null;
  headers: Record<string, string>;
  payload: unknown;
  status: string;
}

function stripeEvent(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount: 1200 } }, ...overrides });
}

function stripeHeader(payload: string, secret: string, timestamp?: number): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp !== undefined ? { timestamp } : {}) });
}

function whsec(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

describe('webhook-ingress POST /v1/webhooks', () => {
  let db: TestDatabase;
  let control: TestApp<ControlApiConfig>;
  let ingress: TestApp<WebhookIngressConfig>;
  let admin: TestOperator;
  let queue: Queue<WebhookQueueData>;
  let dataSource: DataSource;

  async function controlSend(method: 'post' | 'patch', path: string, body: Record<string, unknown>, expected: number): Promise<request.Response> {
    return request(control.server)[method](path).set('authorization', `Bearer ${admin.token}`).send({ reason: 'webhook-ingress e2e setup', ...body }).expect(expected);
  }

  async function vaultSecret(workspaceId: string, name: string, value: string): Promise<void> {
    await controlSend('post', `/v1/workspaces/${workspaceId}/secret-refs`, { name, ref: `vault://${name}` }, 201);
    await request(control.server).put(`/v1/workspaces/${workspaceId}/secrets/${name}`).set('authorization', `Bearer ${admin.token}`).send({ reason: 'webhook-ingress e2e secret', value }).expect(201);
  }

  /** A workspace with a route of `provider` whose signing secret is `secret`. */
  async function route(provider: string, secret: string, extra: Record<string, unknown> = {}): Promise<{ workspaceId: string; route: Route; secretName: string }> {
    const ws = await createTestWorkspace(control.app);
    const secretName = `sig_${randomBytes(3).toString('hex')}`;
    await vaultSecret(ws.id, secretName, secret);
    const res = await controlSend('post', `/v1/workspaces/${ws.id}/webhook-routes`, { provider, signing_secret_ref: secretName, target: { kind: 'store' }, ...extra }, 201);
    return { workspaceId: ws.id, route: res.body as Route, secretName };
  }

  function post(path: string, body: string | Buffer, headers: Record<string, string>): request.Test {
    return request(ingress.server).post(path).set({ 'content-type': 'application/json', ...headers }).send(body);
  }

  async function inboxRows(workspaceId: string): Promise<InboxRow[]> {
    return dataSource.query('SELECT id, workspace_id, event_id, event_type, headers, payload, status FROM webhook_inbox WHERE workspace_id = $1', [workspaceId]);
  }

  function expectSignatureInvalid(res: request.Response): void {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    control = await startTestApp(controlApiApp, { db });
    ingress = await startTestApp(webhookIngressApp, { db });
    admin = await createTestOperator(control.app, ['OperatorAdmin']);
    dataSource = ingress.app.get(DataSource);
    queue = new Queue<WebhookQueueData>(QUEUES.webhooks, { connection: redisConnectionOptions(TEST_REDIS_URL), prefix: bullPrefix(ingress.config.REDIS_KEY_PREFIX) });
  });

  afterAll(async () => {
    await queue?.close();
    await ingress?.close();
    await control?.close();
    await db?.drop();
  });

  describe('stripe', () => {
    const secret = whsec();
    let workspaceId: string;
    let path: string;

    beforeAll(async () => {
      const made = await route('stripe', secret, { provider_account_id: 'acct_123' });
      workspaceId = made.workspaceId;
      path = made.route.ingress_path;
    });

    it('stores a validly signed event once, enqueues it and keeps no signature header', async () => {
      const payload = stripeEvent();
      const res = await post(path, payload, { 'stripe-signature': stripeHeader(payload, secret), authorization: 'Bearer nope', cookie: 'a=b' }).expect(200);
      expect(res.body).toEqual({ received: true, id: expect.any(String), duplicate: false });
      expect(JSON.stringify(res.body)).not.toContain(secret);
      const rows = (await inboxRows(workspaceId)).filter((row) => row.id === res.body.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.event_id).toBe((JSON.parse(payload) as { id: string }).id);
      expect(rows[0]?.event_type).toBe('payment_intent.succeeded');
      expect(rows[0]?.payload).toEqual(JSON.parse(payload));
      expect(rows[0]?.status).toBe('received');
      expect(Object.keys(rows[0]?.headers ?? {})).not.toEqual(expect.arrayContaining(['stripe-signature']));
      expect(rows[0]?.headers).not.toHaveProperty('authorization');
      expect(rows[0]?.headers).not.toHaveProperty('cookie');
      expect(rows[0]?.headers['content-type']).toBe('application/json');
      const job = await queue.getJob(res.body.id);
      expect(job?.data).toEqual({ inbox_id: res.body.id, workspace_id: workspaceId });
    });

    it.each([
      ['one flipped body byte', (p: string, s: string) => ({ body: p.replace('1200', '1201'), header: stripeHeader(p, s) })],
      ['re-serialized JSON', (p: string, s: string) => ({ body: JSON.stringify(JSON.parse(p), null, 2), header: stripeHeader(p, s) })],
      ['a wrong secret', (p: string) => ({ body: p, header: stripeHeader(p, whsec()) })],
      ['a stale timestamp', (p: string, s: string) => ({ body: p, header: stripeHeader(p, s, Math.floor(Date.now() / 1000) - 301) })],
      ['a future timestamp', (p: string, s: string) => ({ body: p, header: stripeHeader(p, s, Math.floor(Date.now() / 1000) + 301) })],
    ])('refuses %s with 400 WEBHOOK_SIGNATURE_INVALID and stores nothing', async (_name, make) => {
      const before = (await inboxRows(workspaceId)).length;
      const payload = stripeEvent();
      const { body, header } = make(payload, secret);
      const res = await post(path, body, { 'stripe-signature': header });
      expectSignatureInvalid(res);
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(await inboxRows(workspaceId)).toHaveLength(before);
    });

    it('refuses a missing signature header and counts the failure in the metric', async () => {
      const before = (await inboxRows(workspaceId)).length;
      expectSignatureInvalid(await post(path, stripeEvent(), {}));
      expect(await inboxRows(workspaceId)).toHaveLength(before);
      const metrics = await request(ingress.server).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/orch_webhook_signature_failures_total\{[^}]*provider="stripe"[^}]*reason="missing_header"[^}]*\} 1/);
    });

    it('answers a sequential duplicate with duplicate:true and stores one row', async () => {
      const payload = stripeEvent();
      const first = await post(path, payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(200);
      const second = await post(path, payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(200);
      expect(second.body).toEqual({ received: true, id: first.body.id, duplicate: true });
      const eventId = (JSON.parse(payload) as { id: string }).id;
      expect((await inboxRows(workspaceId)).filter((row) => row.event_id === eventId)).toHaveLength(1);
    });

    it('stores exactly one row for 20 concurrent duplicates, all answered 200', async () => {
      await ingress.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = ingress.app.getHttpServer().address() as AddressInfo;
      const payload = stripeEvent();
      const header = stripeHeader(payload, secret);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload })),
      );
      const bodies = (await Promise.all(responses.map((res) => res.json()))) as Array<{ id: string; duplicate: boolean }>;
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
      expect(new Set(bodies.map((body) => body.id)).size).toBe(1);
      expect(bodies.filter((body) => !body.duplicate)).toHaveLength(1);
      const eventId = (JSON.parse(payload) as { id: string }).id;
      expect((await inboxRows(workspaceId)).filter((row) => row.event_id === eventId)).toHaveLength(1);
    });

    it('routes POST /v1/webhooks/stripe by the Connect account id to its workspace', async () => {
      const payload = stripeEvent({ account: 'acct_123' });
      const res = await post('/v1/webhooks/stripe', payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(200);
      const rows = await dataSource.query('SELECT workspace_id FROM webhook_inbox WHERE id = $1', [res.body.id]);
      expect(rows).toEqual([{ workspace_id: workspaceId }]);
    });

    it('answers 404 for an unknown account id and an unknown or disabled route key alike', async () => {
      const payload = stripeEvent({ account: 'acct_unknown' });
      const unknownAccount = await post('/v1/webhooks/stripe', payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(404);
      expect(unknownAccount.body.error.code).toBe('NOT_FOUND');
      const unknownKey = await post('/v1/webhooks/stripe/no-such-route', payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(404);
      expect(unknownKey.body.error.code).toBe('NOT_FOUND');
      const wrongProvider = await post(path.replace('/stripe/', '/hmac-sha256/'), payload, {}).expect(404);
      expect(wrongProvider.body.error).toEqual(expect.objectContaining({ code: 'NOT_FOUND', message: unknownKey.body.error.message }));
      const disabled = await route('stripe', secret, { enabled: false });
      const disabledRes = await post(disabled.route.ingress_path, payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(404);
      expect(disabledRes.body.error).toEqual(expect.objectContaining({ code: 'NOT_FOUND', message: unknownKey.body.error.message }));
      expect(await inboxRows(disabled.workspaceId)).toHaveLength(0);
    });

    it('applies a route change (disabled) within two route-cache periods (WEBHOOK_ROUTE_CACHE_MS, 1 s by default)', async () => {
      const r = await route('stripe', secret);
      const first = stripeEvent();
      await post(r.route.ingress_path, first, { 'stripe-signature': stripeHeader(first, secret) }).expect(200);
      await controlSend('patch', `/v1/workspaces/${r.workspaceId}/webhook-routes/${r.route.id}`, { enabled: false }, 200);
      const changedAt = Date.now();

      let refusedAfterMs: number | undefined;
      while (refusedAfterMs === undefined && Date.now() - changedAt < 5000) {
        const payload = stripeEvent();
        const res = await post(r.route.ingress_path, payload, { 'stripe-signature': stripeHeader(payload, secret) });
        if (res.status === 404) refusedAfterMs = Date.now() - changedAt;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(refusedAfterMs).toBeDefined();
      expect(refusedAfterMs).toBeLessThanOrEqual(2000 + 500);
      // Once refused, refused for good: the stale entry is not served again.
      const later = stripeEvent();
      await post(r.route.ingress_path, later, { 'stripe-signature': stripeHeader(later, secret) }).expect(404);
    });

    it('answers 413 PAYLOAD_TOO_LARGE above 1 MiB', async () => {
      const payload = stripeEvent({ padding: 'x'.repeat(1024 * 1024) });
      const res = await post(path, payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('refuses a verified event without an id with 400 VALIDATION_FAILED', async () => {
      const payload = JSON.stringify({ object: 'event', type: 'x' });
      const res = await post(path, payload, { 'stripe-signature': stripeHeader(payload, secret) }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('stripe secret rotation', () => {
    it('accepts a header with two v1 values (old and new secret) and either secret alone while the old one is in grace', async () => {
      const oldSecret = whsec();
      const newSecret = whsec();
      const made = await route('stripe', oldSecret);
      const newName = `sig_new_${randomBytes(3).toString('hex')}`;
      await vaultSecret(made.workspaceId, newName, newSecret);
      await controlSend('patch', `/v1/workspaces/${made.workspaceId}/webhook-routes/${made.route.id}`, { signing_secret_ref: newName, rotation_grace_seconds: 3600 }, 200);

      const payload = stripeEvent();
      const t = Math.floor(Date.now() / 1000);
      const v1 = (secret: string) => /v1=([0-9a-f]+)/.exec(stripeHeader(payload, secret, t))?.[1];
      const both = `t=${t},v1=${v1(oldSecret)},v1=${v1(newSecret)}`;
      await post(made.route.ingress_path, payload, { 'stripe-signature': both }).expect(200);
      const oldOnly = stripeEvent();
      await post(made.route.ingress_path, oldOnly, { 'stripe-signature': stripeHeader(oldOnly, oldSecret) }).expect(200);
      const newOnly = stripeEvent();
      await post(made.route.ingress_path, newOnly, { 'stripe-signature': stripeHeader(newOnly, newSecret) }).expect(200);
      expect(await inboxRows(made.workspaceId)).toHaveLength(3);
    });

    it('refuses the old secret once the rotation grace is over', async () => {
      const oldSecret = whsec();
      const made = await route('stripe', oldSecret);
      const newName = `sig_new_${randomBytes(3).toString('hex')}`;
      await vaultSecret(made.workspaceId, newName, whsec());
      await controlSend('patch', `/v1/workspaces/${made.workspaceId}/webhook-routes/${made.route.id}`, { signing_secret_ref: newName, rotation_grace_seconds: 0 }, 200);
      const payload = stripeEvent();
      expectSignatureInvalid(await post(made.route.ingress_path, payload, { 'stripe-signature': stripeHeader(payload, oldSecret) }));
      expect(await inboxRows(made.workspaceId)).toHaveLength(0);
    });
  });

  describe('standard-webhooks', () => {
    const secret = whsec();
    let workspaceId: string;
    let path: string;

    beforeAll(async () => {
      const made = await route('standard-webhooks', secret);
      workspaceId = made.workspaceId;
      path = made.route.ingress_path;
    });

    it('stores a validly signed message keyed by webhook-id, without the signature header', async () => {
      const msgId = `msg_${randomBytes(6).toString('hex')}`;
      const payload = JSON.stringify({ type: 'invoice.paid', data: { n: 1 } });
      const now = new Date();
      const signature = new Webhook(secret).sign(msgId, now, payload);
      const headers = { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };
      const res = await post(path, payload, headers).expect(200);
      expect(res.body.duplicate).toBe(false);
      const rows = await inboxRows(workspaceId);
      expect(rows).toEqual([expect.objectContaining({ id: res.body.id, event_id: msgId, event_type: 'invoice.paid' })]);
      expect(rows[0]?.headers).not.toHaveProperty('webhook-signature');
      expect(rows[0]?.headers['webhook-id']).toBe(msgId);
      expect(await queue.getJob(res.body.id)).toBeDefined();
    });

    it('refuses a signature made with another secret and stores nothing', async () => {
      const msgId = `msg_${randomBytes(6).toString('hex')}`;
      const payload = JSON.stringify({ type: 'invoice.paid' });
      const now = new Date();
      const signature = new Webhook(whsec()).sign(msgId, now, payload);
      const before = (await inboxRows(workspaceId)).length;
      expectSignatureInvalid(await post(path, payload, { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature }));
      expect(await inboxRows(workspaceId)).toHaveLength(before);
    });
  });

  describe('hmac-sha256', () => {
    const secret = `hmac-${randomBytes(16).toString('hex')}`;
    let workspaceId: string;
    let path: string;

    beforeAll(async () => {
      const made = await route('hmac-sha256', secret, { verification: { header_name: 'X-Shop-Signature', encoding: 'hex', prefix: 'sha256=', event_id_path: '$.event.id' } });
      workspaceId = made.workspaceId;
      path = made.route.ingress_path;
    });

    const sign = (payload: string, key = secret) => `sha256=${createHmac('sha256', key).update(payload).digest('hex')}`;

    it('stores a body signed in the configured header, keyed by the configured path, without that header', async () => {
      const payload = JSON.stringify({ event: { id: 'order-42' }, type: 'order.created' });
      const res = await post(path, payload, { 'x-shop-signature': sign(payload) }).expect(200);
      const rows = await inboxRows(workspaceId);
      expect(rows).toEqual([expect.objectContaining({ id: res.body.id, event_id: 'order-42' })]);
      expect(rows[0]?.headers).not.toHaveProperty('x-shop-signature');
    });

    it('refuses a wrong signature and a missing header', async () => {
      const payload = JSON.stringify({ event: { id: 'order-43' } });
      expectSignatureInvalid(await post(path, payload, { 'x-shop-signature': sign(payload, 'other') }));
      expectSignatureInvalid(await post(path, payload, {}));
      expect((await inboxRows(workspaceId)).filter((row) => row.event_id === 'order-43')).toHaveLength(0);
    });
  });
});
