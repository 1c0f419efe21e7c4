import type { DataSource } from 'typeorm';
import { type ConnectorOperation, type ConnectorTypeDefinition, ConnectorTypeRegistry } from '@orch/connectors';
import { ConnectorEntity, effectiveSettings, PolicyEntity, type WorkspaceQuotas, WorkspaceEntity } from '@orch/data';

/** Everything an execution needs to know about a connector, read once and shared by its attempts. */
export interface ResolvedConnector {
  workspaceId: string;
  quotas: WorkspaceQuotas;
  connector: Pick<ConnectorEntity, 'id' | 'name' | 'type' | 'config' | 'secretRefs'>;
  definition: ConnectorTypeDefinition;
  operations: ReadonlyMap<string, ConnectorOperation>;
  policy: Pick<PolicyEntity, 'id' | 'name' | 'timeout' | 'retry' | 'circuitBreaker' | 'rateLimit' | 'degradation'>;
}

export interface ConnectorCatalogOptions {
  /**
   * How long a loaded connector (with its policy and the workspace quotas) is reused, default 1 s:
   * the hot path then reads Postgres about once per second per connector instead of three times
   * per request. A change made in the control plane is seen within this time. 0 disables caching.
   */
  cacheMs?: number;
  clock?: () => number;
}

const DEFAULT_POLICY_NAME = 'default';

/**
 * Loads a workspace's connector by name with its policy (the workspace's `default` policy when
 * it names none) and the workspace quotas. Always scoped by workspace id: another workspace's
 * connector of the same name is simply not found.
 */
export class ConnectorCatalog {
  /** Promises, not values: concurrent requests missing the same entry share one read (no stampede at expiry). */
  private readonly cache = new Map<string, { at: number; value: Promise<ResolvedConnector | undefined> }>();
  private readonly cacheMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ConnectorTypeRegistry = new ConnectorTypeRegistry(),
    options: ConnectorCatalogOptions = {},
  ) {
    this.cacheMs = Math.max(0, options.cacheMs ?? 1000);
    this.clock = options.clock ?? Date.now;
  }

  load(workspaceId: string, connectorName: string): Promise<ResolvedConnector | undefined> {
    const key = `${workspaceId}\u0000${connectorName}`;
    const now = this.clock();
    const hit = this.cache.get(key);
    if (hit !== undefined && now - hit.at < this.cacheMs) return hit.value;
    const value = this.read(workspaceId, connectorName);
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { at: now, value });
      // A failed read is not cached: the next request tries again.
      value.catch(() => {
        if (this.cache.get(key)?.value === value) this.cache.delete(key);
      });
    }
    return value;
  }

  private async read(workspaceId: string, connectorName: string): Promise<ResolvedConnector | undefined> {
    const connector = await this.dataSource.getRepository(ConnectorEntity).findOne({ where: { workspaceId, name: connectorName }, relations: { policy: true } });
    if (connector === null) return undefined;
    const definition = this.registry.get(connector.type);
    if (definition === undefined) return undefined;
    const [workspace, policy] = await Promise.all([
      this.dataSource.getRepository(WorkspaceEntity).findOne({ where: { id: workspaceId }, select: { id: true, settings: true } }),
      connector.policy ?? this.dataSource.getRepository(PolicyEntity).findOne({ where: { workspaceId, name: DEFAULT_POLICY_NAME } }),
    ]);
    if (workspace === null || policy === null || policy.workspaceId !== workspaceId) return undefined;
    const operations = new Map(this.registry.operationsOf(definition, connector.config).map((operation) => [operation.operation_id, operation]));
    return {
      workspaceId,
      quotas: effectiveSettings(workspace.settings).quotas,
      connector: { id: connector.id, name: connector.name, type: connector.type, config: connector.config, secretRefs: connector.secretRefs },
      definition,
      operations,
      policy,
    };
  }
}
