import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';
import { PolicyEntity } from '../entities/policy.entity';
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceEntity } from '../entities/workspace.entity';
import { DEFAULT_POLICY } from './default-policy';
import { DEMO_WORKSPACE_NAME, seedDemo } from './seed-demo';

describe('seedDemo', () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('creates the demo workspace and its default policy once, however often it runs', async () => {
    expect(await seedDemo(dataSource)).toEqual([
      { subject: 'workspace demo-dev', outcome: 'created' },
      { subject: 'policy demo-dev/default', outcome: 'created' },
    ]);
    expect(await seedDemo(dataSource)).toEqual([
      { subject: 'workspace demo-dev', outcome: 'exists' },
      { subject: 'policy demo-dev/default', outcome: 'exists' },
    ]);
    // Concurrent runs (two deploy jobs) must not fail either.
    await Promise.all([seedDemo(dataSource), seedDemo(dataSource)]);

    const workspaces = await dataSource.getRepository(WorkspaceEntity).findBy({ name: DEMO_WORKSPACE_NAME });
    expect(workspaces).toHaveLength(1);
    expect(workspaces[0].settings).toEqual(DEFAULT_WORKSPACE_SETTINGS);
    const policies = await dataSource.getRepository(PolicyEntity).findBy({ workspaceId: workspaces[0].id });
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({
      name: 'default',
      timeout: DEFAULT_POLICY.timeout,
      retry: DEFAULT_POLICY.retry,
      circuitBreaker: DEFAULT_POLICY.circuit_breaker,
      rateLimit: DEFAULT_POLICY.rate_limit,
      degradation: 'fail_fast',
    });
  });
});
