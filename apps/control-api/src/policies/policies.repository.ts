import { type EntityManager, In } from 'typeorm';
import { PolicyEntity, TenantScopedRepository } from '@orch/data';

export const POLICY_NAME_CONSTRAINT = 'uq_policies_workspace_name';
/** connectors.policy_id → policies.id, ON DELETE RESTRICT: the database's own "still in use". */
export const CONNECTOR_POLICY_FK = 'fk_connectors_policy';

/** Queries of policies, each confined to one workspace. */
export class PoliciesRepository extends TenantScopedRepository<PolicyEntity> {
  static of(manager: EntityManager): PoliciesRepository {
    return new PoliciesRepository(manager.getRepository(PolicyEntity), { sortKey: 'createdAt' });
  }

  /** The row locked for update, for read-modify-write inside a transaction. */
  async findByNameForUpdate(workspaceId: string, name: string): Promise<PolicyEntity | null> {
    return this.repository.findOne({ where: this.scoped(workspaceId, { name }), lock: { mode: 'pessimistic_write' } });
  }

  /** Policy names by id, for showing connectors with their policy's name. */
  async namesByIds(workspaceId: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repository.find({ where: this.scoped(workspaceId, { id: In([...new Set(ids)]) }), select: { id: true, name: true } });
    return new Map(rows.map((row) => [row.id, row.name]));
  }
}
