import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity, WorkspaceEntity } from '@orch/data';
import { startTestApp, type TestApp } from '@orch/testing';
import { workerApp } from '../src/app.definition';
import type { WorkerConfig } from '../src/config';

/** The maintenance queue's repeatable jobs, run by the real worker against Postgres and Redis. */
describe('worker maintenance', () => {
  let worker: TestApp<WorkerConfig>;

  beforeAll(async () => {
    worker = await startTestApp(workerApp, { env: { IDEMPOTENCY_PURGE_EVERY_MS: '200' } });
  });
  afterAll(async () => worker?.close());

  it('purges Idempotency-Key records past their retention and keeps live ones', async () => {
    const dataSource = worker.app.get(DataSource);
    const workspace = await dataSource.getRepository(WorkspaceEntity).save({ name: `ws-${randomUUID().slice(0, 8)}-dev` });
    const keys = dataSource.getRepository(IdempotencyKeyEntity);
    const row = (key: string, expiresAt: Date) => ({ workspaceId: workspace.id, endpoint: 'POST /v1/execute', key, fingerprint: 'f', status: 'completed' as const, responseStatus: 200, responseBody: '{}', responseHeaders: {}, lockedUntil: null, expiresAt });
    await keys.insert([row('expired-1', new Date(Date.now() - 1000)), row('expired-2', new Date(Date.now() - 60_000)), row('live', new Date(Date.now() + 86_400_000))]);

    const until = Date.now() + 10_000;
    let left: string[] = [];
    while (Date.now() < until) {
      left = (await keys.find({ where: { workspaceId: workspace.id } })).map((k) => k.key);
      if (left.length === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toEqual(['live']);
  });
});
