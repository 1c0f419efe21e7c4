import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppDefinition, type BaseConfig, createHttpApp, loadConfig } from '@orch/platform';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestRedisPrefix, TEST_REDIS_URL, type TestRedisPrefix } from './test-redis';

export interface TestApp<C extends BaseConfig> {
  app: NestFastifyApplication;
  config: C;
  /** The app's HTTP server, for supertest: request(testApp.server). */
  server: NestFastifyApplication['getHttpServer'] extends () => infer S ? S : never;
  /** Undefined when started with database: false. */
  db: TestDatabase | undefined;
  redis: TestRedisPrefix;
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  /** Environment on top of the test defaults (a database and Redis prefix of the test's own). */
  env?: Record<string, string>;
  /** Reuse a database instead of creating one (several apps against one database). */
  db?: TestDatabase;
  /** false for apps without Postgres (the console BFF). Default true. */
  database?: boolean;
  /** Test-only modules mounted beside the app's own (e.g. ProbeModule). */
  extraModules?: Array<Type<unknown> | DynamicModule>;
}

/** The vault master key of every test app and process unless a test sets its own: test-only, never deploy it. */
export const TEST_MASTER_KEY = `test-1:${Buffer.from('orchestrator-test-master-key-32b').toString('base64')}`;

@Module({})
class TestRootModule {}

/**
 * Boots an app in-process exactly as main.ts does (same definition, same createHttpApp),
 * against a freshly created and migrated database and a Redis key prefix of its own.
 * close() shuts the app down, drops the database and clears the prefix.
 */
export async function startTestApp<C extends BaseConfig>(definition: AppDefinition<C>, options: StartTestAppOptions = {}): Promise<TestApp<C>> {
  const ownsDb = !options.db && options.database !== false;
  const db = options.db ?? (ownsDb ? await createTestDatabase() : undefined);
  const redis = createTestRedisPrefix();
  const env = {
    ORCH_ENV: 'test',
    ...(db ? { DATABASE_URL: db.url } : {}),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redis.prefix,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    // Signing keys of this app only (control-api creates one on first use outside prod).
    ORCH_JWT_KEYS_DIR: join(tmpdir(), `orch-test-keys-${randomBytes(6).toString('hex')}`),
    ORCH_MASTER_KEY: TEST_MASTER_KEY,
    ...options.env,
  };
  const config = loadConfig(definition.configClass, env);
  let app: NestFastifyApplication;
  try {
    // DiscoveryModule lets tests enumerate routes (access coverage).
    const module: DynamicModule = { module: TestRootModule, imports: [definition.module(config), DiscoveryModule, ...(options.extraModules ?? [])] };
    app = await createHttpApp(module, { serviceName: definition.serviceName, description: definition.description, config, configureFastify: definition.configureFastify });
  } catch (error) {
    if (ownsDb) await db?.drop();
    throw error;
  }
  return {
    app,
    config,
    server: app.getHttpServer(),
    db,
    redis,
    async close() {
      await app.close();
      await redis.clear();
      if (ownsDb) await db?.drop();
    },
  };
}
