import { type EntityManager, In } from 'typeorm';
import { ConnectorEntity, SecretRefEntity, TenantScopedRepository } from '@orch/data';

export const CONNECTOR_NAME_CONSTRAINT = 'uq_connectors_workspace_name';

/** Queries of connectors, each confined to one workspace. */
export class ConnectorsRepository extends TenantScopedRepository<ConnectorEntity> {
  static of(manager: EntityManager): ConnectorsRepository {
    return new ConnectorsRepository(manager.getRepository(ConnectorEntity), { sortKey: 'createdAt' });
  }

  /** The row locked for update, for read-modify-write inside a transaction. */
  async findByNameForUpdate(workspaceId: string, name: string): Promise<ConnectorEntity | null> {
    return this.repository.findOne({ where: this.scoped(workspaceId, { name }), lock: { mode: 'pessimistic_write' } });
  }

  /** Which of `names` exist as secret refs of the workspace (the refs a config may name). */
  async existingSecretRefNames(workspaceId: string, names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.repository.manager.getRepository(SecretRefEntity).find({ where: { workspaceId, name: In([...new Set(names)]) }, select: { name: true } });
    return new Set(rows.map((row) => row.name));
  }
}
