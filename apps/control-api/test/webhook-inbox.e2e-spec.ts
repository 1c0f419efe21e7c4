import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bullPrefix, eventsChannel, QUEUES, WEBHOOK_QUEUE_JOB_NAME } from '@orch/contracts';
import { EventLogEntity, OperatorAuditLogEntity, WebhookInboxEntity, type WebhookInboxStatus, WebhookRouteEntity, WorkspaceEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { redisConnectionOptions } from '@orch/platform';
import { createTestOperator, createTestWorkspace, serviceToken, startTestApp, TEST_REDIS_URL, type TestApp, type TestOperator } from '@orch/testing';
import { controlApiApp } from '../src/app.definition';
import type { ControlApiConfig } from '../src/config';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const UNKNOWN_ID = '7b0e1f9c-9a52-4c1e-8f7e-3b1f0d0c2a11';

function expectError(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }) });
}

function pathsOf(body: { error: { details?: Array<{ path: string }> } }): string[] {
  return (body.error.details ?? []).map((detail) => detail.path);
}

interface InboxSeed {
  status?: WebhookInboxStatus;
  provider?: string;
  eventType?: string | null;
  routeId?: string | null;
  receivedAt?: Date;
  attempts?: number;
  lastError?: string | null;
  payloadRef?: string;
}

const idsOf = (body: { data: Array<{ id: string }> }) => body.data.map((item) => item.id);

describe('Webhook inbox (control-api)', () => {
  let t: TestApp<ControlApiConfig>;
  let dataSource: DataSource;
  let queue: Queue;
  let admin: TestOperator;
  let support: TestOperator;
  let auditor: TestOperator;
  let billing: TestOperator;
  let seq = 0;

  const inbox = (workspaceId: string) => `/v1/workspaces/${workspaceId}/webhook-inbox`;

  /** An inbox row as webhook-ingress and the worker would leave it; inserted directly (neither runs here). */
  async function addInbox(workspaceId: string, seed: InboxSeed = {}): Promise<WebhookInboxEntity> {
    const status = seed.status ?? 'failed';
    const rows = dataSource.getRepository(WebhookInboxEntity);
    seq += 1;
    return rows.save(
      rows.create({
        workspaceId,
        routeId: seed.routeId ?? null,
        provider: seed.provider ?? 'stripe',
        eventId: `evt_${seq}_${Date.now()}`,
        eventType: seed.eventType === undefined ? 'invoice.paid' : seed.eventType,
        headers: { 'content-type': 'application/json', 'user-agent': 'Stripe/1.0' },
        payload: seed.payloadRef ? null : { id: `evt_${seq}`, type: 'invoice.paid', data: { object: { amount: 1200 } } },
        payloadRef: seed.payloadRef ?? null,
        status,
        attempts: seed.attempts ?? (status === 'received' ? 0 : 1),
        lastError: seed.lastError === undefined ? (status === 'failed' ? 'target answered 502' : null) : seed.lastError,
        processedAt: status === 'processed' ? new Date() : null,
        ...(seed.receivedAt ? { receivedAt: seed.receivedAt } : {}),
      }),
    );
  }

  async function addRoute(workspaceId: string): Promise<WebhookRouteEntity> {
    const routes = dataSource.getRepository(WebhookRouteEntity);
    seq += 1;
    return routes.save(
      routes.create({ workspaceId, provider: 'stripe', routeKey: `rk-${seq}-${Date.now()}`, signingSecretRef: 'stripe_signing', verification: { scheme: 'stripe' }, target: { kind: 'store' } }),
    );
  }

  const row = (id: string) => dataSource.getRepository(WebhookInboxEntity).findOneBy({ id });
  const auditsOf = (workspaceId: string, action: string) => dataSource.getRepository(OperatorAuditLogEntity).find({ where: { workspaceId, action }, order: { id: 'ASC' } });
  const retryEventsOf = (inboxId: string) =>
    dataSource.getRepository(EventLogEntity).createQueryBuilder('e').where(`e.type = 'webhook.retry_requested'`).andWhere(`e.data->>'inbox_id' = :inboxId`, { inboxId }).getMany();

  beforeAll(async () => {
    t = await startTestApp(controlApiApp);
    dataSource = t.app.get(DataSource);
    queue = new Queue(QUEUES.webhooks, { connection: redisConnectionOptions(TEST_REDIS_URL), prefix: bullPrefix(t.config.REDIS_KEY_PREFIX) });
    admin = await createTestOperator(t.app, ['OperatorAdmin']);
    support = await createTestOperator(t.app, ['Support']);
    auditor = await createTestOperator(t.app, ['ReadOnlyAuditor']);
    billing = await createTestOperator(t.app, ['BillingAdmin']);
  });
  afterAll(async () => {
    await queue?.close();
    await t?.close();
  });

  describe('access', () => {
    it('answers 401 without a token and to an exec-audience token on all four routes, and changes nothing', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id);
      const execToken = await serviceToken(t.app, w.id, ['workspace:read', 'workspace:write'], { audience: 'exec' });
      for (const token of [undefined, execToken]) {
        const calls = [
          request(t.server).get(inbox(w.id)),
          request(t.server).get(`${inbox(w.id)}/${item.id}`),
          request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).send({ reason: 'r' }),
          request(t.server).post(`${inbox(w.id)}/retry`).send({ reason: 'r', filter: {} }),
        ];
        for (const call of calls) {
          const res = await (token ? call.set(bearer(token)) : call);
          expect(res.status).toBe(401);
          expectError(res.body, 'UNAUTHENTICATED');
        }
      }
      expect((await row(item.id))?.status).toBe('failed');
    });

    it('lets ReadOnlyAuditor read but not retry (403), BillingAdmin neither (403), Support retry', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id);
      await request(t.server).get(inbox(w.id)).set(bearer(auditor.token)).expect(200);
      await request(t.server).get(`${inbox(w.id)}/${item.id}`).set(bearer(auditor.token)).expect(200);
      const refused = [
        request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(auditor.token)).send({ reason: 'r' }),
        request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(auditor.token)).send({ reason: 'r', filter: {} }),
        request(t.server).get(inbox(w.id)).set(bearer(billing.token)),
        request(t.server).get(`${inbox(w.id)}/${item.id}`).set(bearer(billing.token)),
        request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(billing.token)).send({ reason: 'r' }),
      ];
      for (const call of refused) {
        const res = await call;
        expect(res.status).toBe(403);
        expectError(res.body, 'FORBIDDEN');
      }
      expect((await row(item.id))?.status).toBe('failed');
      expect(await auditsOf(w.id, 'webhook-inbox.retry')).toHaveLength(0);

      const res = await request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(support.token)).send({ reason: 'support retries' }).expect(202);
      expect(res.body).toMatchObject({ id: item.id, status: 'received' });
    });

    it("answers 404 for another workspace's item on get and retry, to operators and to a confined service token", async () => {
      const a = await createTestWorkspace(t.app);
      const b = await createTestWorkspace(t.app);
      const bItem = await addInbox(b.id);
      const aToken = await serviceToken(t.app, a.id, ['workspace:read', 'workspace:write'], { audience: 'control' });
      const calls = [
        request(t.server).get(`${inbox(a.id)}/${bItem.id}`).set(bearer(admin.token)),
        request(t.server).post(`${inbox(a.id)}/${bItem.id}/retry`).set(bearer(admin.token)).send({ reason: 'r' }),
        request(t.server).get(`${inbox(a.id)}/${bItem.id}`).set(bearer(aToken)),
        request(t.server).post(`${inbox(a.id)}/${bItem.id}/retry`).set(bearer(aToken)).send({ reason: 'r' }),
        // A's token on B's paths.
        request(t.server).get(inbox(b.id)).set(bearer(aToken)),
        request(t.server).get(`${inbox(b.id)}/${bItem.id}`).set(bearer(aToken)),
        request(t.server).post(`${inbox(b.id)}/${bItem.id}/retry`).set(bearer(aToken)).send({ reason: 'r' }),
        request(t.server).post(`${inbox(b.id)}/retry`).set(bearer(aToken)).send({ reason: 'r', filter: {} }),
      ];
      for (const call of calls) {
        const res = await call;
        expect(res.status).toBe(404);
        expectError(res.body, 'NOT_FOUND');
      }
      // A's bulk retries, by filter or naming B's id, never reach B's rows.
      const byIds = await request(t.server).post(`${inbox(a.id)}/retry`).set(bearer(aToken)).send({ reason: 'r', ids: [bItem.id] }).expect(202);
      expect(byIds.body).toEqual({ retried: 0, ids: [], enqueue_failed: 0 });
      const byFilter = await request(t.server).post(`${inbox(a.id)}/retry`).set(bearer(admin.token)).send({ reason: 'r', filter: {} }).expect(202);
      expect(byFilter.body).toEqual({ retried: 0, ids: [], enqueue_failed: 0 });
      expect(await row(bItem.id)).toMatchObject({ status: 'failed', lastError: 'target answered 502' });
      expect(await retryEventsOf(bItem.id)).toHaveLength(0);
      expect(await queue.getJob(bItem.id)).toBeUndefined();
    });
  });

  describe('GET webhook-inbox', () => {
    let w: WorkspaceEntity;
    beforeAll(async () => {
      w = await createTestWorkspace(t.app);
    });

    it('lists newest first without headers or payload, filtered by provider, status, type, route and time (inclusive), paged by cursor', async () => {
      const route = await addRoute(w.id);
      const day = (n: number) => new Date(Date.UTC(2026, 0, n));
      const one = await addInbox(w.id, { status: 'processed', provider: 'stripe', eventType: 'invoice.paid', receivedAt: day(1), routeId: route.id });
      const two = await addInbox(w.id, { status: 'failed', provider: 'standard-webhooks', eventType: 'user.created', receivedAt: day(2) });
      const three = await addInbox(w.id, { status: 'received', provider: 'stripe', eventType: 'invoice.paid', receivedAt: day(3), routeId: route.id });

      const all = await request(t.server).get(inbox(w.id)).set(bearer(auditor.token)).expect(200);
      expect(idsOf(all.body)).toEqual([three.id, two.id, one.id]);
      expect(all.body.next_cursor).toBeNull();
      expect(all.body.data[1]).toEqual({
        id: two.id,
        route_id: null,
        provider: 'standard-webhooks',
        event_id: two.eventId,
        event_type: 'user.created',
        status: 'failed',
        attempts: 1,
        last_error: 'target answered 502',
        received_at: day(2).toISOString(),
        processed_at: null,
        updated_at: expect.any(String),
      });
      expect(all.body.data[2]).toMatchObject({ route_id: route.id, status: 'processed', processed_at: expect.any(String) });

      const ids = async (query: string) => idsOf((await request(t.server).get(`${inbox(w.id)}?${query}`).set(bearer(admin.token)).expect(200)).body);
      expect(await ids('provider=stripe')).toEqual([three.id, one.id]);
      expect(await ids('status=failed')).toEqual([two.id]);
      expect(await ids('type=invoice.paid')).toEqual([three.id, one.id]);
      expect(await ids('type=invoice.paid&status=received')).toEqual([three.id]);
      expect(await ids(`route_id=${route.id}`)).toEqual([three.id, one.id]);
      expect(await ids(`received_after=${day(2).toISOString()}`)).toEqual([three.id, two.id]);
      expect(await ids(`received_before=${day(2).toISOString()}`)).toEqual([two.id, one.id]);
      expect(await ids(`received_after=${day(2).toISOString()}&received_before=${day(2).toISOString()}`)).toEqual([two.id]);
      expect(await ids(`route_id=${UNKNOWN_ID}`)).toEqual([]);

      const first = await request(t.server).get(`${inbox(w.id)}?limit=2`).set(bearer(admin.token)).expect(200);
      expect(idsOf(first.body)).toEqual([three.id, two.id]);
      const second = await request(t.server).get(`${inbox(w.id)}?limit=2&cursor=${first.body.next_cursor}`).set(bearer(admin.token)).expect(200);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: one.id })], next_cursor: null });
    });

    it('pages rows received within the same millisecond without skipping any', async () => {
      const other = await createTestWorkspace(t.app);
      const inserted: Array<{ id: string }> = await dataSource.query(
        `INSERT INTO webhook_inbox (workspace_id, provider, event_id, payload, status, received_at)
         SELECT $1, 'stripe', 'evt_us_' || n, '{}'::jsonb, 'failed', '2026-02-01T00:00:00.123Z'::timestamptz + (n || ' microseconds')::interval
           FROM generate_series(1, 5) AS n
         RETURNING id`,
        [other.id],
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.server)
          .get(`${inbox(other.id)}?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set(bearer(admin.token))
          .expect(200);
        seen.push(...idsOf(res.body));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect([...seen].sort()).toEqual(inserted.map((r) => r.id).sort());
    });

    it('refuses invalid filters with their paths', async () => {
      const cases: Array<[string, string]> = [
        ['provider=paypal', '/provider'],
        ['status=bogus', '/status'],
        ['type=', '/type'],
        ['route_id=nope', '/route_id'],
        ['received_after=yesterday', '/received_after'],
        ['received_before=2026-13-01T00:00:00Z', '/received_before'],
        ['received_after=2026-01-02T00:00:00Z&received_before=2026-01-01T00:00:00Z', '/received_before'],
        ['limit=0', '/limit'],
        ['limit=101', '/limit'],
        ['cursor=not-a-cursor', '/cursor'],
        ['colour=blue', '/colour'],
      ];
      for (const [query, path] of cases) {
        const res = await request(t.server).get(`${inbox(w.id)}?${query}`).set(bearer(admin.token)).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(pathsOf(res.body)).toContain(path);
      }
    });
  });

  describe('GET webhook-inbox/:inboxId', () => {
    it('returns the item with its headers and payload, or payload_ref when stored by reference; unknown or malformed ids are 404', async () => {
      const w = await createTestWorkspace(t.app);
      const inline = await addInbox(w.id);
      const res = await request(t.server).get(`${inbox(w.id)}/${inline.id}`).set(bearer(auditor.token)).expect(200);
      expect(res.body).toEqual({
        id: inline.id,
        route_id: null,
        provider: 'stripe',
        event_id: inline.eventId,
        event_type: 'invoice.paid',
        status: 'failed',
        attempts: 1,
        last_error: 'target answered 502',
        received_at: inline.receivedAt.toISOString(),
        processed_at: null,
        updated_at: expect.any(String),
        headers: { 'content-type': 'application/json', 'user-agent': 'Stripe/1.0' },
        payload: inline.payload,
      });

      const byRef = await addInbox(w.id, { payloadRef: 'local://webhooks/2026/01/evt_big.json' });
      const ref = await request(t.server).get(`${inbox(w.id)}/${byRef.id}`).set(bearer(admin.token)).expect(200);
      expect(ref.body).toMatchObject({ id: byRef.id, payload: null, payload_ref: 'local://webhooks/2026/01/evt_big.json' });

      for (const id of [UNKNOWN_ID, 'not-a-uuid']) expectError((await request(t.server).get(`${inbox(w.id)}/${id}`).set(bearer(admin.token)).expect(404)).body, 'NOT_FOUND');
    });
  });

  describe('POST webhook-inbox/:inboxId/retry', () => {
    it('moves a failed row to received with a fresh attempt budget, writes an event and an audit row, and puts it on the webhooks queue', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id, { attempts: 3 });

      const subscriber = new Redis(redisConnectionOptions(TEST_REDIS_URL));
      const announced = new Promise<unknown>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(JSON.parse(message))));
      await subscriber.subscribe(`${t.config.REDIS_KEY_PREFIX}${eventsChannel(w.id)}`);

      const res = await request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(admin.token)).send({ reason: 'target fixed' }).expect(202);
      const expectedData = { inbox_id: item.id, provider: 'stripe', event_id: item.eventId, event_type: 'invoice.paid', previous_status: 'failed', previous_attempts: 3 };
      try {
        expect(await announced).toEqual([expect.objectContaining({ type: 'webhook.retry_requested', job_id: null, data: expectedData })]);
      } finally {
        subscriber.disconnect();
      }
      expect(res.body).toEqual({
        id: item.id,
        route_id: null,
        provider: 'stripe',
        event_id: item.eventId,
        event_type: 'invoice.paid',
        status: 'received',
        attempts: 0,
        last_error: null,
        received_at: item.receivedAt.toISOString(),
        processed_at: null,
        updated_at: expect.any(String),
      });
      expect(res.body).not.toHaveProperty('payload');
      expect(await row(item.id)).toMatchObject({ status: 'received', attempts: 0, lastError: null, processedAt: null });
      expect(await retryEventsOf(item.id)).toEqual([expect.objectContaining({ workspaceId: w.id, jobId: null, data: expectedData })]);
      const audits = await auditsOf(w.id, 'webhook-inbox.retry');
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({
        reason: 'target fixed',
        actorId: admin.id,
        targetType: 'webhook_inbox',
        targetId: item.id,
        before: { status: 'failed', last_error: 'target answered 502', attempts: 3 },
        after: { status: 'received', attempts: 0 },
      });

      const entry = await queue.getJob(item.id);
      expect(entry?.name).toBe(WEBHOOK_QUEUE_JOB_NAME);
      expect(entry?.data).toEqual({ inbox_id: item.id, workspace_id: w.id });

      // Visible through the item view too.
      const detail = await request(t.server).get(`${inbox(w.id)}/${item.id}`).set(bearer(admin.token)).expect(200);
      expect(detail.body).toMatchObject({ status: 'received', last_error: null });
    });

    it('processes a processed row again; the reason may come as X-Reason', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id, { status: 'processed' });
      await request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(admin.token)).set('X-Reason', 'receiver lost it').send({}).expect(202);
      expect(await row(item.id)).toMatchObject({ status: 'received', processedAt: null });
      expect(await retryEventsOf(item.id)).toEqual([expect.objectContaining({ data: expect.objectContaining({ previous_status: 'processed' }) })]);
      expect(await queue.getJob(item.id)).toBeDefined();
      expect((await auditsOf(w.id, 'webhook-inbox.retry'))[0]).toMatchObject({ reason: 'receiver lost it' });
    });

    it('answers 409 for a received or processing row (a second retry included), 404 for an unknown one, and writes nothing then', async () => {
      const w = await createTestWorkspace(t.app);
      const received = await addInbox(w.id, { status: 'received' });
      const processing = await addInbox(w.id, { status: 'processing' });
      const failed = await addInbox(w.id);
      for (const id of [received.id, processing.id]) {
        const res = await request(t.server).post(`${inbox(w.id)}/${id}/retry`).set(bearer(admin.token)).send({ reason: 'r' }).expect(409);
        expectError(res.body, 'CONFLICT');
      }
      await request(t.server).post(`${inbox(w.id)}/${failed.id}/retry`).set(bearer(admin.token)).send({ reason: 'r' }).expect(202);
      expectError((await request(t.server).post(`${inbox(w.id)}/${failed.id}/retry`).set(bearer(admin.token)).send({ reason: 'r' }).expect(409)).body, 'CONFLICT');
      for (const id of [UNKNOWN_ID, 'not-a-uuid']) expectError((await request(t.server).post(`${inbox(w.id)}/${id}/retry`).set(bearer(admin.token)).send({ reason: 'r' }).expect(404)).body, 'NOT_FOUND');
      expect((await row(received.id))?.status).toBe('received');
      expect((await row(processing.id))?.status).toBe('processing');
      expect(await retryEventsOf(received.id)).toHaveLength(0);
      expect(await queue.getJob(received.id)).toBeUndefined();
      expect(await auditsOf(w.id, 'webhook-inbox.retry')).toHaveLength(1);
    });

    it('retries once when 10 retries of one row race: one 202, nine 409', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id);
      const results = await Promise.all(Array.from({ length: 10 }, () => request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(admin.token)).send({ reason: 'race' })));
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([202, ...Array.from({ length: 9 }, () => 409)]);
      expect(await retryEventsOf(item.id)).toHaveLength(1);
      expect(await auditsOf(w.id, 'webhook-inbox.retry')).toHaveLength(1);
      expect((await row(item.id))?.status).toBe('received');
    });

    it('needs a reason (400 REASON_REQUIRED) and no unknown body fields; writes nothing then', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id);
      expectError((await request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(admin.token)).send({}).expect(400)).body, 'REASON_REQUIRED');
      expectError((await request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(admin.token)).send({ reason: '   ' }).expect(400)).body, 'REASON_REQUIRED');
      const unknown = await request(t.server).post(`${inbox(w.id)}/${item.id}/retry`).set(bearer(admin.token)).send({ reason: 'r', force: true }).expect(400);
      expectError(unknown.body, 'VALIDATION_FAILED');
      expect(pathsOf(unknown.body)).toContain('/force');
      expect((await row(item.id))?.status).toBe('failed');
      expect(await auditsOf(w.id, 'webhook-inbox.retry')).toHaveLength(0);
    });
  });

  describe('POST webhook-inbox/retry', () => {
    it('retries by filter: failed rows by default, oldest received first, up to limit, one audit row per call', async () => {
      const w = await createTestWorkspace(t.app);
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
      const failed = [await addInbox(w.id, { receivedAt: at(30) }), await addInbox(w.id, { receivedAt: at(20) }), await addInbox(w.id, { receivedAt: at(10) })];
      const otherProvider = await addInbox(w.id, { provider: 'hmac-sha256', receivedAt: at(25) });
      const processed = await addInbox(w.id, { status: 'processed', receivedAt: at(15) });
      const processing = await addInbox(w.id, { status: 'processing', receivedAt: at(5) });

      const first = await request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(support.token)).send({ reason: 'batch 1', filter: { provider: 'stripe' }, limit: 2 }).expect(202);
      expect(first.body).toEqual({ retried: 2, ids: [failed[0].id, failed[1].id], enqueue_failed: 0 });
      const second = await request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(support.token)).send({ reason: 'batch 2', filter: { provider: 'stripe' } }).expect(202);
      expect(second.body).toEqual({ retried: 1, ids: [failed[2].id], enqueue_failed: 0 });

      for (const item of failed) {
        expect((await row(item.id))?.status).toBe('received');
        expect(await queue.getJob(item.id)).toBeDefined();
        expect(await retryEventsOf(item.id)).toHaveLength(1);
      }
      expect((await row(otherProvider.id))?.status).toBe('failed');
      expect((await row(processed.id))?.status).toBe('processed');
      expect((await row(processing.id))?.status).toBe('processing');

      const audits = await auditsOf(w.id, 'webhook-inbox.retry-bulk');
      expect(audits.map((audit) => [audit.reason, (audit.after as { count: number }).count])).toEqual([
        ['batch 1', 2],
        ['batch 2', 1],
      ]);
      expect(audits[0]).toMatchObject({ actorId: support.id, targetType: 'webhook_inbox', targetId: null, after: { ids: [failed[0].id, failed[1].id], filter: { status: 'failed', provider: 'stripe' }, limit: 2 } });

      // status=processed takes delivered rows on purpose; type, route and time narrow it.
      const again = await request(t.server)
        .post(`${inbox(w.id)}/retry`)
        .set(bearer(admin.token))
        .send({ reason: 'receiver lost a day', filter: { status: 'processed', type: 'invoice.paid', received_after: at(16).toISOString(), received_before: at(14).toISOString() } })
        .expect(202);
      expect(again.body).toEqual({ retried: 1, ids: [processed.id], enqueue_failed: 0 });
      expect((await row(processed.id))?.status).toBe('received');
    });

    it('retries by ids only the eligible rows (failed or processed) of this workspace', async () => {
      const w = await createTestWorkspace(t.app);
      const failed = await addInbox(w.id);
      const processed = await addInbox(w.id, { status: 'processed' });
      const received = await addInbox(w.id, { status: 'received' });
      const processing = await addInbox(w.id, { status: 'processing' });
      const res = await request(t.server)
        .post(`${inbox(w.id)}/retry`)
        .set(bearer(admin.token))
        .send({ reason: 'these ones', ids: [failed.id, processed.id, received.id, processing.id, UNKNOWN_ID, failed.id] })
        .expect(202);
      expect(res.body).toEqual({ retried: 2, ids: expect.arrayContaining([failed.id, processed.id]), enqueue_failed: 0 });
      expect(res.body.ids).toHaveLength(2);
      expect((await row(received.id))?.status).toBe('received');
      expect((await row(processing.id))?.status).toBe('processing');
      expect(await queue.getJob(received.id)).toBeUndefined();
      const audits = await auditsOf(w.id, 'webhook-inbox.retry-bulk');
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ reason: 'these ones', after: { count: 2, requested_ids: 5 } });
    });

    it('retries each row once when bulk and single retries race', async () => {
      const w = await createTestWorkspace(t.app);
      const items = await Promise.all(Array.from({ length: 6 }, () => addInbox(w.id)));
      const results = await Promise.all([
        ...Array.from({ length: 3 }, () => request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(admin.token)).send({ reason: 'race', filter: {} })),
        request(t.server).post(`${inbox(w.id)}/${items[0].id}/retry`).set(bearer(admin.token)).send({ reason: 'race' }),
      ]);
      const retried = results.flatMap((res) => (res.status === 202 ? ((res.body.ids as string[] | undefined) ?? [res.body.id as string]) : []));
      expect(retried.sort()).toEqual(items.map((item) => item.id).sort());
      for (const res of results) expect([202, 409]).toContain(res.status);
      for (const item of items) expect(await retryEventsOf(item.id)).toHaveLength(1);
    });

    it('needs a reason (400 REASON_REQUIRED) and a valid body (400 with paths); writes nothing then', async () => {
      const w = await createTestWorkspace(t.app);
      const item = await addInbox(w.id);
      expectError((await request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(admin.token)).send({ filter: {} }).expect(400)).body, 'REASON_REQUIRED');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, '/filter'],
        [{ filter: {}, ids: [item.id] }, '/ids'],
        [{ ids: [item.id], limit: 5 }, '/limit'],
        [{ ids: [] }, '/ids'],
        [{ ids: ['not-a-uuid'] }, '/ids'],
        [{ ids: Array.from({ length: 1001 }, () => item.id) }, '/ids'],
        [{ ids: item.id }, '/ids'],
        [{ filter: { status: 'received' } }, '/filter/status'],
        [{ filter: { provider: 'paypal' } }, '/filter/provider'],
        [{ filter: { route_id: 'nope' } }, '/filter/route_id'],
        [{ filter: { received_after: 'yesterday' } }, '/filter/received_after'],
        [{ filter: { received_before: 42 } }, '/filter/received_before'],
        [{ filter: { received_after: '2026-01-02T00:00:00Z', received_before: '2026-01-01T00:00:00Z' } }, '/filter/received_before'],
        [{ filter: { colour: 'blue' } }, '/filter/colour'],
        [{ filter: 'failed' }, '/filter'],
        [{ filter: {}, limit: 0 }, '/limit'],
        [{ filter: {}, limit: 1001 }, '/limit'],
      ];
      for (const [body, path] of cases) {
        const res = await request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(admin.token)).send({ ...body, reason: 'r' }).expect(400);
        expectError(res.body, 'VALIDATION_FAILED');
        expect(pathsOf(res.body)).toContain(path);
      }
      expect((await row(item.id))?.status).toBe('failed');
      expect(await auditsOf(w.id, 'webhook-inbox.retry-bulk')).toHaveLength(0);
      expect(await retryEventsOf(item.id)).toHaveLength(0);
    });
  });

  // The round trip with the worker (retry → processed) is in apps/worker/test/webhook-retry.e2e-spec.ts.

  describe('OpenAPI', () => {
    it('documents the four routes with their shapes', async () => {
      const doc = (await request(t.server).get('/docs-json').expect(200)).body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/workspaces/{workspaceId}/webhook-inbox',
          '/v1/workspaces/{workspaceId}/webhook-inbox/{inboxId}',
          '/v1/workspaces/{workspaceId}/webhook-inbox/{inboxId}/retry',
          '/v1/workspaces/{workspaceId}/webhook-inbox/retry',
        ]),
      );
      expect(Object.keys(doc.paths['/v1/workspaces/{workspaceId}/webhook-inbox/retry'].post.responses)).toContain('202');
      expect(Object.keys(doc.components.schemas.WebhookInboxDetailResponse.properties)).toEqual(expect.arrayContaining(['headers', 'payload', 'payload_ref', 'status']));
    });
  });

  // Last: it closes the app's webhooks queue connection.
  describe('when the queue cannot be reached', () => {
    it('still retries: the rows stay received and enqueue_failed counts them', async () => {
      const w = await createTestWorkspace(t.app);
      const [one, two] = [await addInbox(w.id), await addInbox(w.id)];
      await t.app.get(JobQueue).webhooks.close();
      const single = await request(t.server).post(`${inbox(w.id)}/${one.id}/retry`).set(bearer(admin.token)).send({ reason: 'redis is flaky' }).expect(202);
      expect(single.body).toMatchObject({ id: one.id, status: 'received' });
      const bulk = await request(t.server).post(`${inbox(w.id)}/retry`).set(bearer(admin.token)).send({ reason: 'redis is flaky', ids: [two.id] }).expect(202);
      expect(bulk.body).toEqual({ retried: 1, ids: [two.id], enqueue_failed: 1 });
      for (const item of [one, two]) {
        expect((await row(item.id))?.status).toBe('received');
        expect(await queue.getJob(item.id)).toBeUndefined();
      }
    });
  });
});
