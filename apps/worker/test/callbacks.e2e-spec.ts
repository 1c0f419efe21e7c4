import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { EventLogEntity, JobEntity } from '@orch/data';
import { JobQueue } from '@orch/execution';
import { FakeUpstream, type RecordedRequest, startTestApp, type TestApp } from '@orch/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { eventually, ExecStack } from '../../exec-api/test/support/exec-stack';
import { JobSweeper } from '../src/jobs/job-sweeper.service';
import { workerApp } from '../src/app.definition';
import { workspaceWithCallbackSecret } from './support/callback-secret';
import type { WorkerConfig } from '../src/config';

/** The receiver's side, with the official `standardwebhooks` package (tolerance 5 min, constant-time compare). */
function verifyStandardWebhook(secret: string, request: RecordedRequest): boolean {
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = request.headers[name];
    if (typeof value !== 'string') return false;
    headers[name] = value;
  }
  try {
    new Webhook(secret).verify(request.body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('worker callbacks', () => {
  let stack: ExecStack;
  let worker: TestApp<WorkerConfig>;
  let receiver: FakeUpstream;
  let dataSource: DataSource;
  let queue: JobQueue;

  beforeAll(async () => {
    stack = await ExecStack.start();
    receiver = await FakeUpstream.start();
    worker = await startTestApp(workerApp, {
      db: stack.db,
      env: { REDIS_KEY_PREFIX: stack.redis.prefix, EGRESS_ALLOW_CIDRS: '127.0.0.0/8', EXEC_CATALOG_CACHE_MS: '0', CALLBACK_MAX_ATTEMPTS: '3', CALLBACK_BASE_DELAY_MS: '100' },
    });
    dataSource = worker.app.get(DataSource);
    queue = worker.app.get(JobQueue);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await stack?.close();
  });

  beforeEach(() => {
    receiver.reset();
    stack.upstream.reset();
  });

  /** A workspace with a callback secret in the vault and an http connector on the fake upstream. */
  async function workspaceWithSecret(): Promise<{ workspaceId: string; connector: string; secret: string }> {
    const { workspaceId, secret } = await workspaceWithCallbackSecret(stack, dataSource);
    const { connector } = await stack.httpConnector(workspaceId);
    return { workspaceId, connector, secret };
  }

  async function runJob(workspaceId: string, connector: string, callbackPath: string): Promise<JobEntity> {
    const job = await dataSource.getRepository(JobEntity).save({ workspaceId, connector, operation: 'get_thing', payload: { id: '7' }, maxAttempts: 1, status: 'queued' as const, callbackUrl: `${receiver.url}${callbackPath}` });
    await queue.enqueue({ id: job.id, workspaceId });
    return job;
  }

  async function callbackSettled(jobId: string, timeoutMs = 8000): Promise<JobEntity> {
    let job: JobEntity | undefined;
    await eventually(async () => {
      job = await dataSource.getRepository(JobEntity).findOneByOrFail({ id: jobId });
      expect(['delivered', 'failed']).toContain(job.callbackStatus);
    }, timeoutMs);
    return job as JobEntity;
  }

  const events = (jobId: string) => dataSource.getRepository(EventLogEntity).find({ where: { jobId }, order: { id: 'ASC' } });

  it('POSTs the terminal job signed with Standard Webhooks headers the receiver can verify', async () => {
    const { workspaceId, connector, secret } = await workspaceWithSecret();
    stack.upstream.setHandler(() => ({ status: 200, body: { made: 'it' } }));
    const job = await runJob(workspaceId, connector, '/hooks/ok');

    const done = await callbackSettled(job.id);
    expect(done).toMatchObject({ status: 'succeeded', callbackStatus: 'delivered', callbackAttempts: 1 });
    expect(receiver.requests).toHaveLength(1);
    const [delivery] = receiver.requests;
    expect(delivery?.method).toBe('POST');
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.headers['webhook-id']).toBe(`msg_${job.id}_succeeded_${done.finishedAt?.getTime()}`);
    expect(verifyStandardWebhook(secret, delivery as RecordedRequest)).toBe(true);
    expect(verifyStandardWebhook(`whsec_${randomBytes(24).toString('base64')}`, delivery as RecordedRequest)).toBe(false);
    const body = JSON.parse(delivery?.body ?? '{}') as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe('job.succeeded');
    expect(body.data).toMatchObject({ id: job.id, status: 'succeeded', attempts: 1, output: { made: 'it' }, error: null });
    expect(body.data).not.toHaveProperty('runs');
    await eventually(async () => expect((await events(job.id)).map((e) => e.type)).toContain('callback.delivered'));
  });

  it('retries after a 500 and delivers on the next attempt with the same webhook-id', async () => {
    const { workspaceId, connector, secret } = await workspaceWithSecret();
    receiver.enqueue({ status: 500 }, { status: 200 });
    const job = await runJob(workspaceId, connector, '/hooks/flaky');

    const done = await callbackSettled(job.id);
    expect(done).toMatchObject({ callbackStatus: 'delivered', callbackAttempts: 2 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests.every((r) => verifyStandardWebhook(secret, r))).toBe(true);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    await eventually(async () => expect((await events(job.id)).map((e) => e.type)).toEqual(expect.arrayContaining(['callback.retry_scheduled', 'callback.delivered'])));
  });

  it('does not follow a 302: each attempt fails, and the callback fails after CALLBACK_MAX_ATTEMPTS', async () => {
    const { workspaceId, connector } = await workspaceWithSecret();
    receiver.setHandler((req) => (req.url === '/hooks/moved' ? { status: 302, headers: { location: `${receiver.url}/hooks/elsewhere` } } : { status: 200 }));
    const job = await runJob(workspaceId, connector, '/hooks/moved');

    const done = await callbackSettled(job.id);
    expect(done).toMatchObject({ callbackStatus: 'failed', callbackAttempts: 3 });
    expect(receiver.requests.map((r) => r.url)).toEqual(['/hooks/moved', '/hooks/moved', '/hooks/moved']);
    await eventually(async () => {
      const failed = (await events(job.id)).find((e) => e.type === 'callback.failed');
      expect(failed?.data).toMatchObject({ attempts: 3, error: { code: 'CALLBACK_REDIRECTED', status: 302 } });
    });
  });

  it('fails the callback with a clear event when the workspace has no callback secret', async () => {
    const { ws } = await stack.workspace();
    const { connector } = await stack.httpConnector(ws.id);
    const job = await runJob(ws.id, connector, '/hooks/unsigned');

    const done = await callbackSettled(job.id);
    expect(done.callbackStatus).toBe('failed');
    expect(receiver.requests).toHaveLength(0);
    await eventually(async () => {
      const failed = (await events(job.id)).find((e) => e.type === 'callback.failed');
      expect(failed?.data).toMatchObject({ error: { code: 'CALLBACK_SECRET_MISSING' } });
    });
  });

  it('never writes the callback secret into an event', async () => {
    const { workspaceId, connector, secret } = await workspaceWithSecret();
    receiver.enqueue({ status: 500 }, { status: 200 });
    const job = await runJob(workspaceId, connector, '/hooks/secret');
    await callbackSettled(job.id);
    await eventually(async () => expect((await events(job.id)).map((e) => e.type)).toContain('callback.delivered'));

    const all = JSON.stringify(await dataSource.getRepository(EventLogEntity).find({ where: { workspaceId } }));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(secret.replace(/^whsec_/, ''));
  });

  it('redelivers a callback left delivering with no queue entry (crash mid-delivery), once the sweeper looks', async () => {
    const { workspaceId, connector, secret } = await workspaceWithSecret();
    const job = await dataSource.getRepository(JobEntity).save({
      workspaceId,
      connector,
      operation: 'get_thing',
      payload: { id: '9' },
      maxAttempts: 1,
      status: 'succeeded' as const,
      attempts: 1,
      output: { ok: true },
      finishedAt: new Date(),
      callbackUrl: `${receiver.url}/hooks/orphan`,
      callbackStatus: 'delivering' as const,
      callbackAttempts: 1,
    });
    // A worker died after marking the attempt: no `cb-<id>` entry, the row untouched for an hour.
    await dataSource.query(`UPDATE jobs SET updated_at = now() - interval '1 hour' WHERE id = $1`, [job.id]);
    expect(await queue.callbacks.getJob(`cb-${job.id}`)).toBeUndefined();

    // A recent `delivering` row (an attempt in flight or waiting for its retry) is left alone.
    const inFlight = await dataSource.getRepository(JobEntity).save({
      workspaceId,
      connector,
      operation: 'get_thing',
      payload: { id: '10' },
      maxAttempts: 1,
      status: 'succeeded' as const,
      attempts: 1,
      finishedAt: new Date(),
      callbackUrl: `${receiver.url}/hooks/in-flight`,
      callbackStatus: 'delivering' as const,
      callbackAttempts: 1,
    });
    await worker.app.get(JobSweeper).sweep();

    const done = await callbackSettled(job.id);
    expect(done).toMatchObject({ callbackStatus: 'delivered', callbackAttempts: 2 });
    expect(receiver.requests.map((r) => r.url)).toEqual(['/hooks/orphan']);
    expect(verifyStandardWebhook(secret, receiver.requests[0] as RecordedRequest)).toBe(true);
    expect((await dataSource.getRepository(JobEntity).findOneByOrFail({ id: inFlight.id })).callbackStatus).toBe('delivering');
  });
});
