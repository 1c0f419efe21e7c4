import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { WEBHOOK_QUEUE_JOB_NAME } from '@orch/contracts';
import { EventLogEntity, WebhookInboxEntity, type WebhookInboxStatus, WebhookRouteEntity, type WebhookTarget } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { MetricsService } from '@orch/platform';
import { FakeUpstream, type RecordedRequest, startTestApp, type TestApp } from '@orch/testing';
// control-api, exec-api and the fake upstream come from exec-api's e2e stack; webhook-ingress runs in-process too.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createVaultSecret, eventually, ExecStack } from '../../exec-api/test/support/exec-stack';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { webhookIngressApp } from '../../webhook-ingress/src/app.definition';
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { WebhookIngressConfig } from '../../webhook-ingress/src/config';
import { workerApp } from '../src/app.definition';
import { workspaceWithCallbackSecret } from './support/callback-secret';
import type { WorkerConfig } from '../src/config';
import { WebhookSweeper } from '../src/webhooks/webhook-sweeper.service';

/** The receiver's side, with the official `standardwebhooks` package (tolerance 5 min, constant-time compare). */
function verifies(secret: string, delivery: RecordedRequest | undefined): boolean {
  if (!delivery) return false;
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = delivery.headers[name];
    if (typeof value !== 'string') return false;
    headers[name] = value;
  }
  try {
    new Webhook(secret).verify(delivery.body, headers);
    return true;
  } catch {
    return false;
  }
}

const whsec = (): string => `whsec_${randomBytes(24).toString('base64')}`;

describe('worker webhook processing', () => {
  let stack: ExecStack;
  let worker: TestApp<WorkerConfig>;
  let ingress: TestApp<WebhookIngressConfig>;
  let receiver: FakeUpstream;
  let dataSource: DataSource;
  let queue: JobQueue;

  beforeAll(async () => {
    stack = await ExecStack.start();
    receiver = await FakeUpstream.start();
    worker = await startTestApp(workerApp, {
      db: stack.db,
      env: {
        REDIS_KEY_PREFIX: stack.redis.prefix,
        EGRESS_ALLOW_CIDRS: '127.0.0.0/8',
        EXEC_CATALOG_CACHE_MS: '0',
        WEBHOOK_MAX_ATTEMPTS: '3',
        WEBHOOK_BASE_DELAY_MS: '100',
        WEBHOOK_MAX_DELAY_MS: '400',
        WEBHOOK_FORWARD_TIMEOUT_MS: '2000',
        WEBHOOK_SWEEP_EVERY_MS: '300',
        WEBHOOK_RECEIVED_STUCK_AFTER_MS: '1000',
        WEBHOOK_PROCESSING_STUCK_AFTER_MS: '3000',
      },
    });
    ingress = await startTestApp(webhookIngressApp, { db: stack.db, env: { REDIS_KEY_PREFIX: stack.redis.prefix } });
    dataSource = worker.app.get(DataSource);
    queue = worker.app.get(JobQueue);
  }, 60_000);

  afterAll(async () => {
    await ingress?.close();
    await worker?.close();
    await receiver?.close();
    await stack?.close();
  });

  beforeEach(() => {
    receiver.reset();
    stack.upstream.reset();
  });

  /** A workspace whose callback secret (which signs forwarded webhooks) is in the vault. */
  async function workspaceWithSecret(): Promise<{ workspaceId: string; secret: string }> {
    return workspaceWithCallbackSecret(stack, dataSource);
  }

  async function route(workspaceId: string, target: WebhookTarget): Promise<WebhookRouteEntity> {
    return dataSource.getRepository(WebhookRouteEntity).save({
      workspaceId,
      provider: 'acme',
      routeKey: randomBytes(16).toString('base64url'),
      signingSecretRef: 'unused-here',
      verification: { scheme: 'standard-webhooks' },
      target,
    });
  }

  /** An inbox row as webhook-ingress stores it (not enqueued). */
  async function inbox(workspaceId: string, routeId: string | null, fields: { status?: WebhookInboxStatus; attempts?: number; payload?: unknown } = {}): Promise<WebhookInboxEntity> {
    return dataSource.getRepository(WebhookInboxEntity).save({
      workspaceId,
      routeId,
      provider: 'acme',
      eventId: `evt_${randomBytes(6).toString('hex')}`,
      eventType: 'invoice.paid',
      headers: {},
      payload: fields.payload ?? { type: 'invoice.paid', data: { amount: 1200, currency: 'eur', note: 'ünïcødé' } },
      status: fields.status ?? 'received',
      attempts: fields.attempts ?? 0,
    });
  }

  async function settled(id: string, timeoutMs = 10_000): Promise<WebhookInboxEntity> {
    let row: WebhookInboxEntity | undefined;
    await eventually(async () => {
      row = await dataSource.getRepository(WebhookInboxEntity).findOneByOrFail({ id });
      expect(['processed', 'failed']).toContain(row.status);
    }, timeoutMs);
    return row as WebhookInboxEntity;
  }

  async function events(inboxId: string): Promise<EventLogEntity[]> {
    return dataSource.getRepository(EventLogEntity).createQueryBuilder('e').where(`e.data->>'inbox_id' = :inboxId`, { inboxId }).orderBy('e.id', 'ASC').getMany();
  }

  async function eventTypes(inboxId: string, expected: string[]): Promise<EventLogEntity[]> {
    let found: EventLogEntity[] = [];
    await eventually(async () => {
      found = await events(inboxId);
      expect(found.map((e) => e.type)).toEqual(expected);
    });
    return found;
  }

  describe('forward target', () => {
    it('forwards a webhook received by webhook-ingress, signed with the workspace callback secret, and marks it processed', async () => {
      const { workspaceId, secret } = await workspaceWithSecret();
      const signingSecret = whsec();
      await createVaultSecret(stack, workspaceId, 'provider-signing', signingSecret);
      const made = await stack.controlPost(workspaceId, 'webhook-routes', { provider: 'standard-webhooks', signing_secret_ref: 'provider-signing', target: { kind: 'forward', url: `${receiver.url}/hooks/in` } });

      const msgId = `msg_${randomBytes(6).toString('hex')}`;
      const payload = JSON.stringify({ type: 'invoice.paid', data: { amount: 1200 } });
      const now = new Date();
      const received = await request(ingress.server)
        .post(made.body.ingress_path as string)
        .set({ 'content-type': 'application/json', 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(signingSecret).sign(msgId, now, payload) })
        .send(payload)
        .expect(200);
      const inboxId = received.body.id as string;

      const row = await settled(inboxId);
      expect(row).toMatchObject({ status: 'processed', attempts: 1, lastError: null });
      expect(row.processedAt).toBeInstanceOf(Date);
      expect(receiver.requests).toHaveLength(1);
      const [delivery] = receiver.requests;
      expect(delivery).toMatchObject({ method: 'POST', url: '/hooks/in' });
      expect(JSON.parse(delivery?.body ?? 'null')).toEqual(JSON.parse(payload));
      expect(delivery?.headers).toMatchObject({
        'content-type': 'application/json',
        'webhook-id': inboxId,
        'x-orch-provider': 'standard-webhooks',
        'x-orch-event-id': msgId,
        'x-orch-event-type': 'invoice.paid',
        'x-orch-attempt': '1',
      });
      expect(verifies(secret, delivery)).toBe(true);
      expect(verifies(signingSecret, delivery)).toBe(false);

      const [processing, processed] = await eventTypes(inboxId, ['webhook.processing', 'webhook.processed']);
      expect(processing?.data).toEqual({ inbox_id: inboxId, provider: 'standard-webhooks', event_id: msgId, event_type: 'invoice.paid', attempt: 1, target: 'forward' });
      expect(processed?.data).toMatchObject({ inbox_id: inboxId, attempt: 1, target: 'forward', status: 200 });
    });

    it('sends the stored JSON payload, and retries a 500 with the same webhook-id', async () => {
      const { workspaceId, secret } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'forward', url: `${receiver.url}/hooks/flaky` });
      receiver.enqueue({ status: 500 }, { status: 200 });
      const row = await inbox(workspaceId, r.id);
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done).toMatchObject({ status: 'processed', attempts: 2, lastError: null });
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests.every((delivery) => verifies(secret, delivery))).toBe(true);
      expect(receiver.requests.map((delivery) => delivery.headers['webhook-id'])).toEqual([row.id, row.id]);
      expect(receiver.requests.map((delivery) => delivery.headers['x-orch-attempt'])).toEqual(['1', '2']);
      const stored: Array<{ payload: string }> = await dataSource.query(`SELECT payload::text AS payload FROM webhook_inbox WHERE id = $1`, [row.id]);
      // jsonb orders keys its own way: the body is the stored document, serialized once.
      expect(receiver.requests[1]?.body).toBe(JSON.stringify(JSON.parse(stored[0]?.payload ?? '')));
      expect(receiver.requests[0]?.body).toBe(receiver.requests[1]?.body);

      const found = await eventTypes(row.id, ['webhook.processing', 'webhook.retry_scheduled', 'webhook.processing', 'webhook.processed']);
      expect(found[1]?.data).toMatchObject({ attempt: 1, delay_ms: 100, error: { code: 'WEBHOOK_FORWARD_REJECTED', status: 500 } });
      expect(found[3]?.data).toMatchObject({ attempt: 2 });
    });

    it('does not follow a 302: every attempt fails, then the row is failed with last_error and a webhook.failed event, and no secret anywhere', async () => {
      const { workspaceId, secret } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'forward', url: `${receiver.url}/hooks/moved` });
      receiver.setHandler((req) => (req.url === '/hooks/moved' ? { status: 302, headers: { location: `${receiver.url}/hooks/elsewhere` } } : { status: 200 }));
      const row = await inbox(workspaceId, r.id);
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done).toMatchObject({ status: 'failed', attempts: 3, processedAt: null });
      expect(done.lastError).toBe('WEBHOOK_FORWARD_REDIRECTED: the forward URL answered 302 (redirects are not followed)');
      expect(receiver.requests.map((delivery) => delivery.url)).toEqual(['/hooks/moved', '/hooks/moved', '/hooks/moved']);

      const found = await eventTypes(row.id, [
        'webhook.processing',
        'webhook.retry_scheduled',
        'webhook.processing',
        'webhook.retry_scheduled',
        'webhook.processing',
        'webhook.failed',
      ]);
      expect(found.map((e) => e.data['attempt'])).toEqual([1, 1, 2, 2, 3, 3]);
      expect(found[3]?.data).toMatchObject({ delay_ms: 200 });
      expect(found[5]?.data).toEqual({
        inbox_id: row.id,
        provider: 'acme',
        event_id: row.eventId,
        event_type: 'invoice.paid',
        attempt: 3,
        target: 'forward',
        reason: 'attempts_exhausted',
        max_attempts: 3,
        error: { code: 'WEBHOOK_FORWARD_REDIRECTED', message: 'the forward URL answered 302 (redirects are not followed)', status: 302 },
      });

      const everything = JSON.stringify({ events: await dataSource.getRepository(EventLogEntity).find({ where: { workspaceId } }), rows: await dataSource.getRepository(WebhookInboxEntity).find({ where: { workspaceId } }) });
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.replace(/^whsec_/, ''));
    });

    it('fails at once, with nothing sent, when the target URL is refused by the egress guard', async () => {
      const { workspaceId } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'forward', url: 'http://169.254.169.254/latest/meta-data' });
      const row = await inbox(workspaceId, r.id);
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done).toMatchObject({ status: 'failed', attempts: 1, lastError: 'EGRESS_BLOCKED: the forward URL is not an allowed destination' });
      const found = await eventTypes(row.id, ['webhook.processing', 'webhook.failed']);
      expect(found[1]?.data).toMatchObject({ reason: 'not_retryable', error: { code: 'EGRESS_BLOCKED' } });
    });

    it('fails with a clear last_error when the workspace has no callback secret', async () => {
      const { ws } = await stack.workspace();
      const r = await route(ws.id, { kind: 'forward', url: `${receiver.url}/hooks/unsigned` });
      const row = await inbox(ws.id, r.id);
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done.status).toBe('failed');
      expect(done.lastError).toMatch(/^CALLBACK_SECRET_MISSING: /);
      expect(receiver.requests).toHaveLength(0);
    });

    it('delivers exactly once when one row has several queue entries', async () => {
      const { workspaceId } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'forward', url: `${receiver.url}/hooks/once` });
      receiver.setHandler(() => ({ status: 200, delayMs: 300 }));
      const row = await inbox(workspaceId, r.id);
      await Promise.all([
        queue.enqueueWebhook(row),
        queue.enqueueWebhook(row),
        queue.webhooks.add(WEBHOOK_QUEUE_JOB_NAME, { inbox_id: row.id, workspace_id: workspaceId }, { jobId: `${row.id}-copy-1`, removeOnComplete: true, removeOnFail: true }),
        queue.webhooks.add(WEBHOOK_QUEUE_JOB_NAME, { inbox_id: row.id, workspace_id: workspaceId }, { jobId: `${row.id}-copy-2`, removeOnComplete: true, removeOnFail: true }),
      ]);

      const done = await settled(row.id);
      expect(done).toMatchObject({ status: 'processed', attempts: 1 });
      // The copies find the row taken, then processed; none sends again.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      expect(receiver.requests).toHaveLength(1);
      await eventTypes(row.id, ['webhook.processing', 'webhook.processed']);
    }, 20_000);
  });

  describe('connector target', () => {
    it('runs the operation with the event as payload through the execution path and marks the row processed', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id, { operations: [{ operation_id: 'notify', method: 'POST', path: '/notify' }] });
      stack.upstream.setHandler(() => ({ status: 200, body: { accepted: true, token: 'not-kept' } }));
      const r = await route(ws.id, { kind: 'connector', connector, operation: 'notify' });
      const row = await inbox(ws.id, r.id, { payload: { type: 'invoice.paid', data: { amount: 7 } } });
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done).toMatchObject({ status: 'processed', attempts: 1, lastError: null });
      expect(stack.upstream.requests).toHaveLength(1);
      expect(stack.upstream.requests[0]).toMatchObject({ method: 'POST', url: '/notify' });
      expect(JSON.parse(stack.upstream.requests[0]?.body ?? 'null')).toEqual({ type: 'invoice.paid', data: { amount: 7 } });

      const found = await eventTypes(row.id, ['webhook.processing', 'webhook.processed']);
      const executionId = found[1]?.data['execution_id'] as string;
      expect(found[1]?.data).toMatchObject({ target: 'connector', upstream_status: 200 });
      await eventually(async () => {
        const execution = await dataSource.getRepository(EventLogEntity).find({ where: { workspaceId: ws.id, executionId }, order: { id: 'ASC' } });
        expect(execution.map((e) => e.type)).toEqual(expect.arrayContaining(['execution.started', 'execution.succeeded']));
      });
      const rows = JSON.stringify(await dataSource.query(`SELECT * FROM webhook_inbox WHERE id = $1`, [row.id]));
      expect(rows).not.toContain('not-kept');
    });

    it('sends the same upstream Idempotency-Key on every attempt of one row, and another for another row', async () => {
      const { ws } = await stack.workspace();
      await createVaultSecret(stack, ws.id, 'stripe-key', `sk_test_${randomBytes(8).toString('hex')}`);
      const suffix = randomBytes(3).toString('hex');
      await stack.controlPost(ws.id, 'policies', {
        name: `pol-${suffix}`,
        timeout: { connect_ms: 500, read_ms: 1000, total_ms: 3000 },
        retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, jitter: 'full', retry_on: ['network', 'timeout', 429, 502, 503, 504], respect_retry_after: true },
        rate_limit: { capacity: 10_000, refill_per_sec: 10_000 },
      });
      await stack.controlPost(ws.id, 'connectors', { name: `stripe-${suffix}`, type: 'stripe', policy: `pol-${suffix}`, config: { api_key_ref: 'stripe-key', base_url: stack.upstream.url } });
      const r = await route(ws.id, { kind: 'connector', connector: `stripe-${suffix}`, operation: 'create_payment_intent' });
      stack.upstream.enqueue({ status: 503 }, { status: 200, body: { id: 'pi_1', status: 'requires_payment_method' } }, { status: 200, body: { id: 'pi_2', status: 'requires_payment_method' } });

      const first = await inbox(ws.id, r.id, { payload: { amount: 1200, currency: 'eur' } });
      await queue.enqueueWebhook(first);
      expect(await settled(first.id)).toMatchObject({ status: 'processed', attempts: 2 });
      const second = await inbox(ws.id, r.id, { payload: { amount: 1200, currency: 'eur' } });
      await queue.enqueueWebhook(second);
      expect(await settled(second.id)).toMatchObject({ status: 'processed', attempts: 1 });

      const keys = stack.upstream.requests.map((req) => req.headers['idempotency-key']);
      expect(keys).toHaveLength(3);
      expect(keys[0]).toEqual(expect.stringMatching(/^orch_[0-9a-f]{48}$/));
      expect(keys[1]).toBe(keys[0]);
      expect(keys[2]).not.toBe(keys[0]);
    });

    it('retries an upstream 503 and fails a payload the operation refuses without retrying', async () => {
      const { ws } = await stack.workspace();
      const { connector } = await stack.httpConnector(ws.id);
      stack.upstream.enqueue({ status: 503 }, { status: 200, body: { id: '1' } });
      const retried = await route(ws.id, { kind: 'connector', connector, operation: 'create_thing' });
      const good = await inbox(ws.id, retried.id, { payload: { name: 'widget' } });
      await queue.enqueueWebhook(good);
      expect(await settled(good.id)).toMatchObject({ status: 'processed', attempts: 2 });
      expect(stack.upstream.requests).toHaveLength(2);

      const bad = await inbox(ws.id, retried.id, { payload: { nope: true } });
      await queue.enqueueWebhook(bad);
      const failed = await settled(bad.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.lastError).toMatch(/^VALIDATION_FAILED: /);
      expect(stack.upstream.requests).toHaveLength(2);
    });
  });

  describe('store target and missing routes', () => {
    it('marks a store-only row processed and sends nothing', async () => {
      const { workspaceId } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'store' });
      const row = await inbox(workspaceId, r.id);
      await queue.enqueueWebhook(row);

      expect(await settled(row.id)).toMatchObject({ status: 'processed', attempts: 1 });
      await eventTypes(row.id, ['webhook.processing', 'webhook.processed']);
      expect(receiver.requests).toHaveLength(0);
      expect(stack.upstream.requests).toHaveLength(0);
    });

    it('fails a row whose route was deleted, saying so', async () => {
      const { workspaceId } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'store' });
      const row = await inbox(workspaceId, r.id);
      await dataSource.getRepository(WebhookRouteEntity).delete({ id: r.id });
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done.status).toBe('failed');
      expect(done.lastError).toBe('WEBHOOK_ROUTE_DELETED: the webhook route of this event was deleted; nothing to deliver it to');
      const found = await eventTypes(row.id, ['webhook.processing', 'webhook.failed']);
      expect(found[1]?.data).toMatchObject({ target: 'unknown', reason: 'not_retryable' });
    });
  });

  describe('retry and sweeper', () => {
    it('processes a failed row again once it is sent back to received (as the control plane’s retry does), under the same webhook-id', async () => {
      const { workspaceId, secret } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'forward', url: `${receiver.url}/hooks/later` });
      receiver.setHandler(() => ({ status: 500 }));
      const row = await inbox(workspaceId, r.id);
      await queue.enqueueWebhook(row);
      expect(await settled(row.id)).toMatchObject({ status: 'failed', attempts: 3 });

      // What POST …/webhook-inbox/:id/retry does (apps/control-api/src/webhook-inbox), without the audit.
      receiver.setHandler(() => ({ status: 204 }));
      await dataSource.query(`UPDATE webhook_inbox SET status = 'received', attempts = 0, last_error = NULL, processed_at = NULL WHERE id = $1`, [row.id]);
      await queue.enqueueWebhook(row);

      const done = await settled(row.id);
      expect(done).toMatchObject({ status: 'processed', attempts: 1, lastError: null });
      expect(receiver.requests).toHaveLength(4);
      expect(verifies(secret, receiver.requests[3])).toBe(true);
      expect(receiver.requests[3]?.headers['webhook-id']).toBe(row.id);
    });

    it('re-enqueues a received row that was never queued, and takes over a row left processing by a dead worker', async () => {
      const { workspaceId } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'forward', url: `${receiver.url}/hooks/swept` });
      const lost = await inbox(workspaceId, r.id);
      const abandoned = await inbox(workspaceId, r.id, { status: 'processing', attempts: 1 });
      await dataSource.query(`UPDATE webhook_inbox SET updated_at = now() - interval '1 hour' WHERE id = $1`, [abandoned.id]);

      expect(await settled(lost.id)).toMatchObject({ status: 'processed', attempts: 1 });
      expect(await settled(abandoned.id)).toMatchObject({ status: 'processed', attempts: 2 });
      const takeover = await eventTypes(abandoned.id, ['webhook.processing', 'webhook.processed']);
      expect(takeover[0]?.data).toMatchObject({ attempt: 2, takeover: true });
      expect(receiver.requests.map((delivery) => delivery.headers['webhook-id']).sort()).toEqual([lost.id, abandoned.id].sort());
    });

    it('reports the inbox lag and the processed and failed counts as metrics', async () => {
      const { workspaceId } = await workspaceWithSecret();
      const r = await route(workspaceId, { kind: 'store' });
      const old = await inbox(workspaceId, r.id, { status: 'processing' });
      await dataSource.query(`UPDATE webhook_inbox SET received_at = now() - interval '10 minutes', updated_at = now() WHERE id = $1`, [old.id]);
      await worker.app.get(WebhookSweeper).sweep();

      const text = await worker.app.get(MetricsService).registry.metrics();
      const lag = Number(/^orch_webhook_inbox_lag_seconds\{service="worker"\} (\S+)$/m.exec(text)?.[1]);
      expect(lag).toBeGreaterThanOrEqual(600);
      expect(text).toMatch(/^orch_webhook_processed_total\{provider="acme",target="store",service="worker"\} \d+/m);
      expect(text).toMatch(/^orch_webhook_failed_total\{provider="acme",target="forward",code="WEBHOOK_FORWARD_REDIRECTED",service="worker"\} 1$/m);
      await dataSource.query(`UPDATE webhook_inbox SET status = 'failed' WHERE id = $1`, [old.id]);
    });
  });
});
