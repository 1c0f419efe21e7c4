import type { DataSource, EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import { PolicyEntity } from '../entities/policy.entity';
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceEntity } from '../entities/workspace.entity';
import { DEFAULT_POLICY } from './default-policy';

export const DEMO_WORKSPACE_NAME = 'demo-dev';

export interface SeedAction {
  /** e.g. `workspace demo-dev`, `policy demo-dev/default`. */
  subject: string;
  outcome: 'created' | 'exists';
}

/**
 * Inserts the demo workspace and its `default` policy unless they exist. Safe to run any
 * number of times and concurrently: rows are claimed by their unique keys, never read-then-write.
 */
export async function seedDemo(dataSource: DataSource): Promise<SeedAction[]> {
  return dataSource.transaction(async (manager) => {
    const workspace = await insertUnlessExists(manager, WorkspaceEntity, { name: DEMO_WORKSPACE_NAME, settings: DEFAULT_WORKSPACE_SETTINGS }, {
      name: DEMO_WORKSPACE_NAME,
    });
    const policy = await insertUnlessExists(
      manager,
      PolicyEntity,
      {
        workspaceId: workspace.id,
        name: DEFAULT_POLICY.name,
        timeout: DEFAULT_POLICY.timeout,
        retry: DEFAULT_POLICY.retry,
        circuitBreaker: DEFAULT_POLICY.circuit_breaker,
        rateLimit: DEFAULT_POLICY.rate_limit,
        degradation: DEFAULT_POLICY.degradation,
      },
      { workspaceId: workspace.id, name: DEFAULT_POLICY.name },
    );
    return [
      { subject: `workspace ${DEMO_WORKSPACE_NAME}`, outcome: workspace.outcome },
      { subject: `policy ${DEMO_WORKSPACE_NAME}/${DEFAULT_POLICY.name}`, outcome: policy.outcome },
    ];
  });
}

async function insertUnlessExists<E extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  target: EntityTarget<E>,
  values: Partial<E>,
  uniqueKey: Partial<E>,
): Promise<{ id: string; outcome: SeedAction['outcome'] }> {
  const inserted = await manager.createQueryBuilder().insert().into(target).values(values).orIgnore().returning(['id']).execute();
  const [row] = inserted.raw as Array<{ id: string }>;
  if (row) return { id: row.id, outcome: 'created' };
  const existing = await manager.getRepository(target).findOneByOrFail(uniqueKey);
  return { id: existing.id, outcome: 'exists' };
}
