import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { WebhookInboxEntity, WebhookRouteEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { createTestOperator, FakeUpstream, startTestApp, type TestApp, type TestOperator } from '@orch/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ExecStack } from '../../exec-api/test/support/exec-stack';
import { workerApp } from '../src/app.definition';
import { workspaceWithCallbackSecret } from './support/callback-secret';
import type { WorkerConfig } from '../src/config';

/**
 * The webhook round trip across processes' roles: stored as webhook-ingress does → the worker's
 * forward fails until the row is `failed` → an operator retries it from control-api (one, then in
 * bulk) → the worker delivers it, signed, under the same webhook-id. Lives with the worker's tests
 * (which already start control-api) so control-api's own tests do not depend on the worker app.
 */
describe('webhook retry from the control plane, processed by the worker', () => {
  let stack: ExecStack;
  let worker: TestApp<WorkerConfig>;
  let receiver: FakeUpstream;
  let dataSource: DataSource;
  let support: TestOperator;
  let seq = 0;

  beforeAll(async () => {
    stack = await ExecStack.start();
    receiver = await FakeUpstream.start();
    worker = await startTestApp(workerApp, {
      db: stack.db,
      env: {
        REDIS_KEY_PREFIX: stack.redis.prefix,
        EGRESS_ALLOW_CIDRS: '127.0.0.0/8',
        WEBHOOK_MAX_ATTEMPTS: '2',
        WEBHOOK_BASE_DELAY_MS: '50',
        WEBHOOK_MAX_DELAY_MS: '100',
        WEBHOOK_FORWARD_TIMEOUT_MS: '2000',
      },
    });
    dataSource = worker.app.get(DataSource);
    support = await createTestOperator(stack.control.app, ['Support']);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await stack?.close();
  });

  const row = (id: string) => dataSource.getRepository(WebhookInboxEntity).findOneBy({ id });

  async function settled(id: string): Promise<WebhookInboxEntity> {
    const until = Date.now() + 10_000;
    for (;;) {
      const found = await row(id);
      if (found && (found.status === 'processed' || found.status === 'failed')) return found;
      if (Date.now() > until) throw new Error(`inbox row ${id} still ${found?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function receivedRow(workspaceId: string, routeId: string): Promise<WebhookInboxEntity> {
    seq += 1;
    const rows = dataSource.getRepository(WebhookInboxEntity);
    return rows.save(
      rows.create({ workspaceId, routeId, provider: 'stripe', eventId: `evt_${seq}_${Date.now()}`, eventType: 'invoice.paid', headers: { 'content-type': 'application/json' }, payload: { id: `evt_${seq}`, type: 'invoice.paid' }, status: 'received' }),
    );
  }

  it('processes a webhook whose forward target failed after a retry from control-api, one or in bulk', async () => {
    const { workspaceId, secret } = await workspaceWithCallbackSecret(stack, dataSource);
    const ws = { id: workspaceId };
    const route = await dataSource.getRepository(WebhookRouteEntity).save({
      workspaceId: ws.id,
      provider: 'stripe',
      routeKey: randomBytes(16).toString('base64url'),
      signingSecretRef: 'unused-here',
      verification: { scheme: 'stripe' as const },
      target: { kind: 'forward' as const, url: `${receiver.url}/hooks` },
    });
    const inbox = `/v1/workspaces/${ws.id}/webhook-inbox`;

    // Stored and enqueued as webhook-ingress does; the product's endpoint is down.
    receiver.setHandler(() => ({ status: 503 }));
    const items = [await receivedRow(ws.id, route.id), await receivedRow(ws.id, route.id)];
    for (const item of items) await worker.app.get(JobQueue).enqueueWebhook(item);
    for (const item of items) expect(await settled(item.id)).toMatchObject({ status: 'failed', attempts: 2, lastError: expect.stringMatching(/^WEBHOOK_FORWARD_REJECTED: /) });
    expect(receiver.requests).toHaveLength(4);

    // Back up: one retried alone, the other by filter.
    receiver.setHandler(() => ({ status: 204 }));
    const one = await request(stack.control.server).post(`${inbox}/${items[0].id}/retry`).set('authorization', `Bearer ${support.token}`).send({ reason: 'endpoint back' }).expect(202);
    expect(one.body).toMatchObject({ status: 'received', attempts: 0, last_error: null });
    expect(await settled(items[0].id)).toMatchObject({ status: 'processed', attempts: 1, lastError: null, processedAt: expect.any(Date) });
    const bulk = await request(stack.control.server).post(`${inbox}/retry`).set('authorization', `Bearer ${support.token}`).send({ reason: 'endpoint back', filter: { route_id: route.id } }).expect(202);
    expect(bulk.body).toEqual({ retried: 1, ids: [items[1].id], enqueue_failed: 0 });
    expect(await settled(items[1].id)).toMatchObject({ status: 'processed', attempts: 1 });

    // The receiver got each event again under the same webhook-id (the inbox id), verifiably signed.
    const delivered = receiver.requests.slice(4);
    expect(delivered.map((delivery) => delivery.headers['webhook-id']).sort()).toEqual(items.map((item) => item.id).sort());
    for (const delivery of delivered) {
      const headers = { 'webhook-id': String(delivery.headers['webhook-id']), 'webhook-timestamp': String(delivery.headers['webhook-timestamp']), 'webhook-signature': String(delivery.headers['webhook-signature']) };
      expect(() => new Webhook(secret).verify(delivery.body, headers)).not.toThrow();
    }
    const detail = await request(stack.control.server).get(`${inbox}/${items[0].id}`).set('authorization', `Bearer ${support.token}`).expect(200);
    expect(detail.body).toMatchObject({ status: 'processed', attempts: 1, last_error: null, processed_at: expect.any(String) });
  });
});
