import type { EntityManager } from 'typeorm';
import { ConnectorEntity, SecretRefEntity, TenantScopedRepository, WebhookRouteEntity } from '@orch/data';

export const ROUTE_KEY_CONSTRAINT = 'uq_webhook_routes_route_key';
export const PROVIDER_ACCOUNT_CONSTRAINT = 'uq_webhook_routes_provider_account';

/** Queries of webhook_routes, plus the existence checks of what a route names; all confined to a workspace. */
export class WebhookRoutesRepository extends TenantScopedRepository<WebhookRouteEntity> {
  private constructor(private readonly manager: EntityManager) {
    super(manager.getRepository(WebhookRouteEntity), { sortKey: 'createdAt' });
  }

  static of(manager: EntityManager): WebhookRoutesRepository {
    return new WebhookRoutesRepository(manager);
  }

  /** The row locked for update, for read-modify-write inside a transaction. */
  async findOneForUpdate(workspaceId: string, id: string): Promise<WebhookRouteEntity | null> {
    return this.repository.findOne({ where: this.scoped(workspaceId, { id }), lock: { mode: 'pessimistic_write' } });
  }

  /** Provider account ids are unique per provider across workspaces: the ingress routes by them. */
  async providerAccountTaken(provider: string, providerAccountId: string, exceptId?: string): Promise<boolean> {
    const row = await this.repository.findOne({ select: { id: true }, where: { provider, providerAccountId } });
    return row !== null && row.id !== exceptId;
  }

  async secretRefExists(workspaceId: string, name: string): Promise<boolean> {
    return this.manager.getRepository(SecretRefEntity).existsBy({ workspaceId, name });
  }

  async findConnector(workspaceId: string, name: string): Promise<Pick<ConnectorEntity, 'type' | 'config'> | null> {
    return this.manager.getRepository(ConnectorEntity).findOne({ where: { workspaceId, name }, select: { type: true, config: true } });
  }
}
