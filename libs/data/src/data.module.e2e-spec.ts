import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ReadinessRegistry } from '@orch/platform';
import { DataModule } from './data.module';
import type { ScratchDatabase } from './database/database-admin';
import { createTestDatabase } from './e2e/test-database';
import { WorkspaceEntity } from './entities/workspace.entity';

const ignore = (): void => undefined;
// The retries log connection errors; the test asserts on the outcome instead.
const silentLogger = { log: ignore, error: ignore, warn: ignore, debug: ignore, verbose: ignore };

/** What PlatformModule gives a real app: the readiness registry the DataModule reports to. */
@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class ReadinessTestModule {}

describe(DataModule.name, () => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('provides a connected DataSource that knows every entity', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ReadinessTestModule, DataModule.forRoot({ url: database.url })] }).compile();
    await moduleRef.init();
    try {
      const dataSource = moduleRef.get(DataSource);
      expect(dataSource.isInitialized).toBe(true);
      expect(await dataSource.getRepository(WorkspaceEntity).count()).toBe(0);
      expect((await moduleRef.get(ReadinessRegistry).run()).checks).toEqual([expect.objectContaining({ name: 'postgres', status: 'up' })]);
    } finally {
      await moduleRef.close();
    }
  });

  it('gives up within seconds when Postgres is unreachable instead of hanging the boot', async () => {
    const started = Date.now();
    const boot = Test.createTestingModule({ imports: [ReadinessTestModule, DataModule.forRoot({ url: 'postgres://postgres@127.0.0.1:1/nowhere' })] })
      .setLogger(silentLogger)
      .compile();
    await expect(boot).rejects.toThrow(/ECONNREFUSED|connect/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
