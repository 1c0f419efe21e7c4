import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';
import { ConfigActivationEntity } from '../entities/config-activation.entity';
import { ConfigPointerEntity } from '../entities/config-pointer.entity';
import { ConfigEntity } from '../entities/config.entity';
import { ConnectorEntity } from '../entities/connector.entity';
import { PolicyEntity } from '../entities/policy.entity';
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceEntity } from '../entities/workspace.entity';
import { DEFAULT_POLICY } from './default-policy';
import { DEMO_CONFIG_DATA, DEMO_UPSTREAM_URL, DEMO_WORKSPACE_NAME, demoConnectorConfig, seedDemo } from './seed-demo';

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

  it('creates the demo workspace, its default policy, the demo connector and an active config once, however often it runs', async () => {
    expect(await seedDemo(dataSource)).toEqual([
      { subject: 'workspace demo-dev', outcome: 'created' },
      { subject: 'policy demo-dev/default', outcome: 'created' },
      { subject: 'connector demo-dev/demo-upstream', outcome: 'created' },
      { subject: 'config demo-dev/app-settings v1', outcome: 'created' },
      { subject: 'config demo-dev/app-settings active', outcome: 'created' },
    ]);
    expect(await seedDemo(dataSource)).toEqual([
      { subject: 'workspace demo-dev', outcome: 'exists' },
      { subject: 'policy demo-dev/default', outcome: 'exists' },
      { subject: 'connector demo-dev/demo-upstream', outcome: 'exists' },
      { subject: 'config demo-dev/app-settings v1', outcome: 'exists' },
      { subject: 'config demo-dev/app-settings active', outcome: 'exists' },
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

    const connectors = await dataSource.getRepository(ConnectorEntity).findBy({ workspaceId: workspaces[0].id });
    expect(connectors).toHaveLength(1);
    expect(connectors[0]).toMatchObject({ name: 'demo-upstream', type: 'http', policyId: policies[0].id, secretRefs: {}, config: demoConnectorConfig(DEMO_UPSTREAM_URL) });
    expect(connectors[0].config['operations']).toEqual([expect.objectContaining({ operation_id: 'echo', method: 'POST', path: '/echo', payload_schema: expect.objectContaining({ type: 'object' }) })]);

    const configs = await dataSource.getRepository(ConfigEntity).findBy({ workspaceId: workspaces[0].id });
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ name: 'app-settings', version: 'v1', data: DEMO_CONFIG_DATA, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const pointer = await dataSource.getRepository(ConfigPointerEntity).findOneByOrFail({ workspaceId: workspaces[0].id, name: 'app-settings' });
    expect(pointer).toMatchObject({ activeConfigId: configs[0].id, previousConfigId: null });
    expect(await dataSource.getRepository(ConfigActivationEntity).countBy({ workspaceId: workspaces[0].id })).toBe(1);
  });

  it('points the demo connector at the given upstream URL', async () => {
    expect(demoConnectorConfig('http://127.0.0.1:4999')['base_url']).toBe('http://127.0.0.1:4999');
  });
});
