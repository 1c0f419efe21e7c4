import { createHash } from 'node:crypto';
import type { DataSource, EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import { canonicalJson } from '@orch/contracts';
import { ConfigActivationEntity } from '../entities/config-activation.entity';
import { ConfigPointerEntity } from '../entities/config-pointer.entity';
import { ConfigEntity } from '../entities/config.entity';
import { ConnectorEntity } from '../entities/connector.entity';
import { PolicyEntity } from '../entities/policy.entity';
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceEntity } from '../entities/workspace.entity';
import { DEFAULT_POLICY } from './default-policy';

export const DEMO_WORKSPACE_NAME = 'demo-dev';
export const DEMO_CONNECTOR_NAME = 'demo-upstream';
export const DEMO_CONFIG_NAME = 'app-settings';
/** Where tools/dev-stack.mjs runs its demo upstream (POST /echo answers the JSON it receives). */
export const DEMO_UPSTREAM_URL = 'http://127.0.0.1:4010';
const SEED_ACTOR = 'system:seed';

/** The demo connector's config: valid against the `http` type's config_schema (libs/connectors). */
export function demoConnectorConfig(upstreamUrl: string): Record<string, unknown> {
  return {
    base_url: upstreamUrl,
    default_headers: { 'x-demo': 'orchestrator' },
    auth: { kind: 'none' },
    operations: [
      {
        operation_id: 'echo',
        title: 'Echo the payload back',
        method: 'POST',
        path: '/echo',
        payload_schema: {
          type: 'object',
          required: ['message'],
          properties: { message: { type: 'string', title: 'Message', maxLength: 500, default: 'hello from the console' }, count: { type: 'integer', title: 'Count', minimum: 0, maximum: 100 } },
          additionalProperties: false,
        },
      },
    ],
  };
}

export const DEMO_CONFIG_DATA = { feature_flags: { new_checkout: false, beta_banner: true }, limits: { max_items_per_order: 50 }, support_email: 'support@demo.local' };

export interface SeedDemoOptions {
  /** Base URL of the demo connector (default http://127.0.0.1:4010, the dev stack's demo upstream). */
  upstreamUrl?: string;
}

export interface SeedAction {
  /** e.g. `workspace demo-dev`, `policy demo-dev/default`. */
  subject: string;
  outcome: 'created' | 'exists';
}

/**
 * Inserts the demo workspace, its `default` policy, an `http` connector `demo-upstream` on the
 * dev stack's demo upstream, and config `app-settings` v1 (active) unless they exist. Safe to run any
 * number of times and concurrently: rows are claimed by their unique keys, never read-then-write.
 */
export async function seedDemo(dataSource: DataSource, options: SeedDemoOptions = {}): Promise<SeedAction[]> {
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
    const connector = await insertUnlessExists(
      manager,
      ConnectorEntity,
      { workspaceId: workspace.id, name: DEMO_CONNECTOR_NAME, type: 'http', config: demoConnectorConfig(options.upstreamUrl ?? DEMO_UPSTREAM_URL), policyId: policy.id, secretRefs: {} },
      { workspaceId: workspace.id, name: DEMO_CONNECTOR_NAME },
    );
    const config = await insertUnlessExists(
      manager,
      ConfigEntity,
      { workspaceId: workspace.id, name: DEMO_CONFIG_NAME, version: 'v1', data: DEMO_CONFIG_DATA, checksum: checksumOf(DEMO_CONFIG_DATA), createdBy: SEED_ACTOR },
      { workspaceId: workspace.id, name: DEMO_CONFIG_NAME, version: 'v1' },
    );
    // The pointer only when the config has none: a later activation through the API is kept.
    const pointer = await insertUnlessExists(
      manager,
      ConfigPointerEntity,
      { workspaceId: workspace.id, name: DEMO_CONFIG_NAME, activeConfigId: config.id, previousConfigId: null },
      { workspaceId: workspace.id, name: DEMO_CONFIG_NAME },
    );
    if (pointer.outcome === 'created') {
      await manager.getRepository(ConfigActivationEntity).insert({ workspaceId: workspace.id, name: DEMO_CONFIG_NAME, fromConfigId: null, toConfigId: config.id, action: 'activate', actor: SEED_ACTOR, reason: 'demo seed' });
    }
    return [
      { subject: `workspace ${DEMO_WORKSPACE_NAME}`, outcome: workspace.outcome },
      { subject: `policy ${DEMO_WORKSPACE_NAME}/${DEFAULT_POLICY.name}`, outcome: policy.outcome },
      { subject: `connector ${DEMO_WORKSPACE_NAME}/${DEMO_CONNECTOR_NAME}`, outcome: connector.outcome },
      { subject: `config ${DEMO_WORKSPACE_NAME}/${DEMO_CONFIG_NAME} v1`, outcome: config.outcome },
      { subject: `config ${DEMO_WORKSPACE_NAME}/${DEMO_CONFIG_NAME} active`, outcome: pointer.outcome },
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

/** The same checksum control-api computes for a config version: sha256 of the canonical JSON. */
function checksumOf(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}
