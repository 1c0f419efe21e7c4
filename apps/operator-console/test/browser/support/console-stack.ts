import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, createTestRedisPrefix, FakeUpstream, startTestApp, type TestDatabase, type TestRedisPrefix } from '@orch/testing';
// The browser tests drive the whole product: every app runs in this process, as in the other e2e stacks.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { controlApiApp } from '../../../../control-api/src/app.definition';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { execApiApp } from '../../../../exec-api/src/app.definition';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { workerApp } from '../../../../worker/src/app.definition';
import { consoleApp } from '../../../server/app.definition';
import { BUILT_SPA } from './chromium';

/** The first OperatorAdmin, created by control-api at start-up from ORCH_BOOTSTRAP_ADMIN_*. */
export const BOOTSTRAP_ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

export interface ConsoleStack {
  db: TestDatabase;
  redis: TestRedisPrefix;
  /** The BFF serving the built SPA: what the browser opens. */
  consoleUrl: string;
  controlUrl: string;
  execUrl: string;
  /** The product's upstream, on 127.0.0.1 (connectors reach it because EGRESS_ALLOW_CIDRS opens loopback). */
  upstream: FakeUpstream;
  close(): Promise<void>;
}

async function listen(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

/**
 * control-api (with a bootstrap admin), exec-api, the worker and the console BFF on one scratch
 * database and one Redis key prefix, plus a fake upstream: the deployed product in one process,
 * every app listening on a loopback port of its own.
 */
export async function startConsoleStack(): Promise<ConsoleStack> {
  const db = await createTestDatabase();
  const redis = createTestRedisPrefix();
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const upstream = await FakeUpstream.start();
    started.push(upstream);
    const control = await startTestApp(controlApiApp, {
      db,
      env: { REDIS_KEY_PREFIX: redis.prefix, ORCH_BOOTSTRAP_ADMIN_EMAIL: BOOTSTRAP_ADMIN.email, ORCH_BOOTSTRAP_ADMIN_PASSWORD: BOOTSTRAP_ADMIN.password },
    });
    started.push(control);
    const controlUrl = await listen(control.app);
    const jwks = `${controlUrl}/.well-known/jwks.json`;
    const execution = { REDIS_KEY_PREFIX: redis.prefix, EGRESS_ALLOW_CIDRS: '127.0.0.0/8', EXEC_CATALOG_CACHE_MS: '0' };
    const exec = await startTestApp(execApiApp, { db, env: { ...execution, ORCH_JWKS_URL: jwks, SSE_KEEPALIVE_MS: '1000' } });
    started.push(exec);
    const execUrl = await listen(exec.app);
    const worker = await startTestApp(workerApp, { db, env: { ...execution, JOB_SWEEP_EVERY_MS: '1000', JOB_STUCK_AFTER_MS: '5000' } });
    started.push(worker);
    const bff = await startTestApp(consoleApp, { database: false, env: { CONSOLE_SPA_DIR: BUILT_SPA, CONTROL_API_URL: controlUrl, EXEC_API_URL: execUrl, ORCH_JWKS_URL: jwks } });
    started.push(bff);
    const consoleUrl = await listen(bff.app);
    return { db, redis, consoleUrl, controlUrl, execUrl, upstream, close: () => closeAll(started, db, redis) };
  } catch (error) {
    await closeAll(started, db, redis).catch(() => undefined);
    throw error;
  }
}

/** Stops the apps in reverse order, each even when an earlier one failed, then rethrows the first failure. */
async function closeAll(started: Array<{ close(): Promise<void> }>, db: TestDatabase, redis: TestRedisPrefix): Promise<void> {
  const failures: unknown[] = [];
  for (const step of [...started.reverse().map((s) => () => s.close()), () => redis.clear(), () => db.drop()]) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
