import { type EntityManager, IsNull, Not } from 'typeorm';
import {
  ConfigEntity,
  ConfigPointerEntity,
  ConnectorEntity,
  PolicyEntity,
  SecretRefEntity,
  ServiceIdentityEntity,
  WebhookRouteEntity,
  WorkspaceEntity,
} from '@orch/data';

/** Everything of one workspace a bundle covers, whole (a bundle is bounded: MAX_BUNDLE_ITEMS per list). */
export interface WorkspaceContents {
  policies: PolicyEntity[];
  secretRefs: SecretRefEntity[];
  connectors: ConnectorEntity[];
  configs: ConfigEntity[];
  pointers: ConfigPointerEntity[];
  routes: WebhookRouteEntity[];
  identities: ServiceIdentityEntity[];
}

/** Reads for export and import; every query but the workspace lookup is confined to one workspace. */
export class BundlesRepository {
  private constructor(private readonly manager: EntityManager) {}

  static of(manager: EntityManager): BundlesRepository {
    return new BundlesRepository(manager);
  }

  async findWorkspaceByName(name: string): Promise<WorkspaceEntity | null> {
    return this.manager.getRepository(WorkspaceEntity).findOneBy({ name });
  }

  async contents(workspaceId: string): Promise<WorkspaceContents> {
    const where = { workspaceId };
    // One after the other: inside a transaction they share one connection.
    const policies = await this.manager.getRepository(PolicyEntity).find({ where, order: { name: 'ASC' } });
    const secretRefs = await this.manager.getRepository(SecretRefEntity).find({ where, order: { name: 'ASC' } });
    const connectors = await this.manager.getRepository(ConnectorEntity).find({ where, order: { name: 'ASC' } });
    const configs = await this.manager.getRepository(ConfigEntity).find({ where, order: { name: 'ASC', createdAt: 'ASC', version: 'ASC' } });
    const pointers = await this.manager.getRepository(ConfigPointerEntity).find({ where });
    const routes = await this.manager.getRepository(WebhookRouteEntity).find({ where, order: { provider: 'ASC', createdAt: 'ASC' } });
    const identities = await this.manager.getRepository(ServiceIdentityEntity).find({ where, order: { name: 'ASC' } });
    return { policies, secretRefs, connectors, configs, pointers, routes, identities };
  }

  /** `provider:account` of routes of every other workspace: provider account ids are unique per provider. */
  async accountsOutside(workspaceId: string | null): Promise<Set<string>> {
    const rows = await this.manager.getRepository(WebhookRouteEntity).find({
      select: { provider: true, providerAccountId: true },
      where: { providerAccountId: Not(IsNull()), ...(workspaceId ? { workspaceId: Not(workspaceId) } : {}) },
    });
    return new Set(rows.filter((row) => row.providerAccountId !== null).map((row) => `${row.provider}:${row.providerAccountId}`));
  }
}
