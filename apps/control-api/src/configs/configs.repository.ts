import { type EntityManager, In } from 'typeorm';
import { ConfigActivationEntity, type ConfigActivationAction, ConfigEntity, ConfigPointerEntity, DEFAULT_PAGE_SIZE, type Page, TenantScopedRepository } from '@orch/data';
import { decodeCursor, encodeCursor } from '../common/page-cursor';

export const CONFIG_VERSION_CONSTRAINT = 'uq_configs_workspace_name_version';

export interface ConfigSummaryRow {
  name: string;
  activeVersion: string | null;
  previousVersion: string | null;
  versionCount: number;
  latestCreatedAt: Date;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** Queries of configs, config_pointers and config_activations; every one confined to a workspace. */
export class ConfigsRepository {
  private readonly configs: TenantScopedRepository<ConfigEntity>;
  private readonly activations: TenantScopedRepository<ConfigActivationEntity>;

  private constructor(private readonly manager: EntityManager) {
    this.configs = new TenantScopedRepository(manager.getRepository(ConfigEntity), { sortKey: 'createdAt' });
    this.activations = new TenantScopedRepository(manager.getRepository(ConfigActivationEntity), { sortKey: 'createdAt' });
  }

  static of(manager: EntityManager): ConfigsRepository {
    return new ConfigsRepository(manager);
  }

  async findVersion(workspaceId: string, name: string, version: string): Promise<ConfigEntity | null> {
    return this.configs.findOne(workspaceId, { name, version });
  }

  async findById(workspaceId: string, id: string): Promise<ConfigEntity | null> {
    return this.configs.findOne(workspaceId, { id });
  }

  async nameExists(workspaceId: string, name: string): Promise<boolean> {
    return (await this.configs.count(workspaceId, { name })) > 0;
  }

  async versionNames(workspaceId: string, name: string): Promise<string[]> {
    const rows = await this.manager.getRepository(ConfigEntity).find({ select: { version: true }, where: { workspaceId, name } });
    return rows.map((row) => row.version);
  }

  /** Versions of one name, newest first. */
  async findVersionPage(workspaceId: string, name: string, page: PageRequest): Promise<Page<ConfigEntity>> {
    return this.configs.find(workspaceId, { where: { name }, limit: page.limit, cursor: page.cursor });
  }

  async insert(workspaceId: string, values: { name: string; version: string; data: unknown; checksum: string; createdBy: string }): Promise<ConfigEntity> {
    return this.configs.insert(workspaceId, values);
  }

  async findByIds(workspaceId: string, ids: string[]): Promise<Map<string, ConfigEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.manager.getRepository(ConfigEntity).findBy({ workspaceId, id: In(ids) });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Config names of the workspace with their pointer, ordered by name. */
  async findSummaryPage(workspaceId: string, page: PageRequest): Promise<Page<ConfigSummaryRow>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [workspaceId, limit + 1];
    let after = '';
    if (page.cursor) {
      const [name] = decodeCursor(page.cursor, (values) => values.length === 1);
      params.push(name);
      after = 'AND c.name > $3';
    }
    const rows: Array<{ name: string; active_version: string | null; previous_version: string | null; version_count: string; latest_created_at: Date }> = await this.manager.query(
      `SELECT c.name, a.version AS active_version, pv.version AS previous_version, count(*) AS version_count, max(c.created_at) AS latest_created_at
         FROM configs c
         LEFT JOIN config_pointers p ON p.workspace_id = c.workspace_id AND p.name = c.name
         LEFT JOIN configs a ON a.id = p.active_config_id
         LEFT JOIN configs pv ON pv.id = p.previous_config_id
        WHERE c.workspace_id = $1 ${after}
        GROUP BY c.name, a.version, pv.version
        ORDER BY c.name ASC
        LIMIT $2`,
      params,
    );
    const items = rows.slice(0, limit).map((row) => ({
      name: row.name,
      activeVersion: row.active_version,
      previousVersion: row.previous_version,
      versionCount: Number(row.version_count),
      latestCreatedAt: new Date(row.latest_created_at),
    }));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.name]) : null };
  }

  async findPointer(workspaceId: string, name: string): Promise<ConfigPointerEntity | null> {
    return this.manager.getRepository(ConfigPointerEntity).findOneBy({ workspaceId, name });
  }

  /**
   * The pointer of `name` locked FOR UPDATE, so concurrent activations and rollbacks of one
   * config run one after the other. Without a pointer yet, one is inserted pointing at
   * `initialConfigId` (ON CONFLICT: a concurrent first activation won; its row is then locked);
   * `created` tells the caller the pointer is new.
   */
  async lockPointer(workspaceId: string, name: string, initialConfigId?: string): Promise<{ pointer: ConfigPointerEntity; created: boolean } | null> {
    const repository = this.manager.getRepository(ConfigPointerEntity);
    const existing = await repository.findOne({ where: { workspaceId, name }, lock: { mode: 'pessimistic_write' } });
    if (existing) return { pointer: existing, created: false };
    if (initialConfigId === undefined) return null;
    const inserted = await repository
      .createQueryBuilder()
      .insert()
      .values({ workspaceId, name, activeConfigId: initialConfigId, previousConfigId: null })
      .orIgnore()
      .returning('id')
      .execute();
    const created = inserted.raw.length > 0;
    const pointer = await repository.findOne({ where: { workspaceId, name }, lock: { mode: 'pessimistic_write' } });
    return pointer ? { pointer, created } : null;
  }

  async movePointer(workspaceId: string, pointerId: string, activeConfigId: string, previousConfigId: string | null): Promise<void> {
    await this.manager.getRepository(ConfigPointerEntity).update({ workspaceId, id: pointerId }, { activeConfigId, previousConfigId });
  }

  async insertActivation(
    workspaceId: string,
    values: { name: string; fromConfigId: string | null; toConfigId: string; action: ConfigActivationAction; actor: string; reason: string },
  ): Promise<ConfigActivationEntity> {
    return this.activations.insert(workspaceId, values);
  }

  /** Pointer moves of one name, newest first. */
  async findActivationPage(workspaceId: string, name: string, page: PageRequest): Promise<Page<ConfigActivationEntity>> {
    return this.activations.find(workspaceId, { where: { name }, limit: page.limit, cursor: page.cursor });
  }
}
