import { type EntityManager } from 'typeorm';
import { ServiceIdentityEntity, TenantScopedRepository } from '@orch/data';

export const SERVICE_IDENTITY_NAME_CONSTRAINT = 'uq_service_identities_workspace_name';

/** Queries of service_identities; every one but the token endpoint's is confined to a workspace. */
export class ServiceIdentitiesRepository extends TenantScopedRepository<ServiceIdentityEntity> {
  static of(manager: EntityManager): ServiceIdentitiesRepository {
    return new ServiceIdentitiesRepository(manager.getRepository(ServiceIdentityEntity), { sortKey: 'createdAt' });
  }

  /** The row locked for update, for read-modify-write inside a transaction. */
  async findOneForUpdate(workspaceId: string, id: string): Promise<ServiceIdentityEntity | null> {
    return this.repository.findOne({ where: this.scoped(workspaceId, { id }), lock: { mode: 'pessimistic_write' } });
  }

  /**
   * The one lookup without a workspace: the token endpoint knows only the client id (globally
   * unique), and learns the workspace from the row it finds.
   */
  async findByClientId(clientId: string): Promise<ServiceIdentityEntity | null> {
    return this.repository.findOne({ where: { clientId } });
  }
}
