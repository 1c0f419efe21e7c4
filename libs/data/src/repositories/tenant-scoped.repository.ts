import { DomainError } from '@orch/contracts';
import type { DeepPartial, FindOptionsWhere, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/** What a tenant-scoped row has: its own id and the workspace it belongs to. */
export interface TenantScopedEntity {
  id: string;
  workspaceId: string;
}

/** Set by the repository from the workspaceId argument; callers cannot pass them. */
type TenantKeys = 'workspaceId' | 'workspace';

export type TenantWhere<T> = Omit<FindOptionsWhere<T>, TenantKeys>;
export type TenantInsert<T> = Omit<DeepPartial<T>, TenantKeys>;
export type TenantPatch<T> = Omit<QueryDeepPartialEntity<T>, TenantKeys | 'id'>;

export interface FindPageOptions<T> {
  where?: TenantWhere<T>;
  /** 1..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string | null;
  /** Default `desc`: newest first. */
  order?: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface TenantScopedRepositoryOptions<T> {
  /**
   * Timestamp property pages are ordered by, with `id` breaking ties. Leave it out for tables
   * whose id increases by itself (identity ids): they page by id alone.
   */
  sortKey?: keyof T & string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROW_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]{1,19})$/i;
const ALIAS = 'entity';

/**
 * Query methods of one tenant-scoped table. The workspace id is the required first argument
 * of every method and is always part of the WHERE (or forced into the row), so reaching
 * another workspace's rows takes a deliberate workspace id, never a forgotten filter.
 */
export class TenantScopedRepository<T extends TenantScopedEntity> {
  constructor(
    protected readonly repository: Repository<T>,
    private readonly options: TenantScopedRepositoryOptions<T> = {},
  ) {}

  async findOne(workspaceId: string, where: TenantWhere<T>): Promise<T | null> {
    return this.repository.findOne({ where: this.scoped(workspaceId, where) });
  }

  async find(workspaceId: string, options: FindPageOptions<T> = {}): Promise<Page<T>> {
    const where = this.scoped(workspaceId, options.where);
    const limit = pageSize(options.limit);
    const descending = options.order !== 'asc';
    const keys = this.sortColumns();
    const values = options.cursor ? decodeCursor(options.cursor, keys.length) : null;

    const query = this.repository.createQueryBuilder(ALIAS).setFindOptions({ where });
    if (values) {
      const params = Object.fromEntries(values.map((value, i) => [`cursor${i}`, i < keys.length - 1 ? new Date(value) : value]));
      const left = keys.map((key) => key.sql).join(', ');
      const right = values.map((_, i) => `:cursor${i}`).join(', ');
      query.andWhere(`(${left}) ${descending ? '<' : '>'} (${right})`, params);
    }
    for (const [i, key] of keys.entries()) {
      query[i === 0 ? 'orderBy' : 'addOrderBy'](`${ALIAS}.${key.property}`, descending ? 'DESC' : 'ASC');
    }
    const rows = await query.limit(limit + 1).getMany();

    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? this.cursorOf(last) : null };
  }

  async count(workspaceId: string, where?: TenantWhere<T>): Promise<number> {
    return this.repository.count({ where: this.scoped(workspaceId, where) });
  }

  /** Inserts one row of the workspace and returns it with its generated columns. */
  async insert(workspaceId: string, values: TenantInsert<T>): Promise<T> {
    assertWorkspaceId(workspaceId);
    const entity = this.repository.create({ ...withoutTenantKeys(values), workspaceId } as DeepPartial<T>);
    // insert() writes back RETURNING columns (id, defaults, timestamps) into the entity.
    await this.repository.insert(entity as QueryDeepPartialEntity<T>);
    return this.withNullsForMissing(entity);
  }

  /** Updates the workspace's rows matching `where`; returns how many changed. */
  async update(workspaceId: string, where: TenantWhere<T>, patch: TenantPatch<T>): Promise<number> {
    const result = await this.repository.update(this.scoped(workspaceId, requireCriteria(where)), withoutTenantKeys(patch) as QueryDeepPartialEntity<T>);
    return result.affected ?? 0;
  }

  /** Deletes the workspace's rows matching `where`; returns how many went. */
  async delete(workspaceId: string, where: TenantWhere<T>): Promise<number> {
    const result = await this.repository.delete(this.scoped(workspaceId, requireCriteria(where)));
    return result.affected ?? 0;
  }

  protected scoped(workspaceId: string, where: TenantWhere<T> | undefined): FindOptionsWhere<T> {
    assertWorkspaceId(workspaceId);
    // Spread first so a workspaceId smuggled past the types cannot override the argument.
    return { ...withoutTenantKeys(where ?? {}), workspaceId } as FindOptionsWhere<T>;
  }

  private sortColumns(): Array<{ property: string; sql: string }> {
    const properties = this.options.sortKey ? [this.options.sortKey, 'id'] : ['id'];
    return properties.map((property) => {
      const column = this.repository.metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${this.repository.metadata.name} has no column for property "${property}"`);
      return { property, sql: `"${ALIAS}"."${column.databaseName}"` };
    });
  }

  private cursorOf(row: T): string {
    const record = row as unknown as Record<string, unknown>;
    const values = this.options.sortKey ? [toCursorTime(record[this.options.sortKey]), row.id] : [row.id];
    return Buffer.from(JSON.stringify(values)).toString('base64url');
  }

  /** Nullable columns the caller left out come back as null, as they would from a SELECT. */
  private withNullsForMissing(entity: T): T {
    const record = entity as unknown as Record<string, unknown>;
    const relations = new Set(this.repository.metadata.relations.map((relation) => relation.propertyName));
    for (const column of this.repository.metadata.columns) {
      if (column.isNullable && !relations.has(column.propertyName) && record[column.propertyName] === undefined) {
        record[column.propertyName] = null;
      }
    }
    return entity;
  }
}

export function assertWorkspaceId(workspaceId: unknown): asserts workspaceId is string {
  // A programming error (the types already demand a string), so not a DomainError.
  if (typeof workspaceId !== 'string' || !UUID.test(workspaceId)) {
    throw new TypeError(`workspaceId must be a UUID, got ${typeof workspaceId === 'string' ? JSON.stringify(workspaceId) : typeof workspaceId}`);
  }
}

function withoutTenantKeys<V extends object>(values: V): V {
  const rest = { ...values } as Record<string, unknown>;
  delete rest['workspaceId'];
  delete rest['workspace'];
  return rest as V;
}

function requireCriteria<W extends object>(where: W): W {
  // An empty filter would touch every row of the workspace; make that impossible by accident.
  if (Object.keys(withoutTenantKeys(where)).length === 0) throw new TypeError('update/delete need at least one condition besides the workspace');
  return where;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new DomainError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, {
      details: [{ path: '/limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }],
    });
  }
  return limit;
}

function toCursorTime(value: unknown): string {
  if (!(value instanceof Date)) throw new TypeError('the sort key of a cursor must be a Date column');
  return value.toISOString();
}

function decodeCursor(cursor: string, length: number): string[] {
  const invalid = () => new DomainError('VALIDATION_FAILED', 'cursor is invalid', { details: [{ path: '/cursor', message: 'is invalid' }] });
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(values) || values.length !== length || !values.every((value) => typeof value === 'string')) throw invalid();
  const strings = values as string[];
  const id = strings[length - 1];
  const times = strings.slice(0, -1);
  if (!ROW_ID.test(id) || times.some((time) => Number.isNaN(Date.parse(time)))) throw invalid();
  return strings;
}
