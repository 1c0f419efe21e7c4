import { DataSource } from 'typeorm';
import { createDataSourceOptions, revertAllMigrations, runMigrations } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';
import { AUDIT_GENESIS_HASH } from '../entities/operator-audit-log.entity';
import { MIGRATIONS } from './index';

const MIGRATION_NAMES = MIGRATIONS.map((migration) => migration.name);

/** Every object of the public schema with its full definition, one row each, in a stable order. */
const CATALOG_SQL = `
  SELECT 'table' AS kind, c.relname AS name, c.relkind::text AS definition
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
  UNION ALL
  SELECT 'column', c.relname || '.' || a.attname,
         format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
         || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') || coalesce(' IDENTITY ' || nullif(a.attidentity::text, ''), '')
         || ' #' || a.attnum
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL
  SELECT 'constraint', c.relname || '.' || con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT 'trigger', t.tgname, pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND NOT t.tgisinternal
  UNION ALL
  SELECT 'function', p.proname, pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'public'
  ORDER BY 1, 2, 3`;

type CatalogRow = { kind: string; name: string; definition: string };

describe('InitialSchema migration', () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;

  const catalog = async (): Promise<CatalogRow[]> => (await dataSource.query(CATALOG_SQL)) as CatalogRow[];
  const pendingSchemaChanges = async (): Promise<string[]> => {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return sql.upQueries.map((query) => query.query);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  describe('schema', () => {
    it('matches the entities exactly: TypeORM finds nothing to change', async () => {
      expect(await pendingSchemaChanges()).toEqual([]);
    });

    it('reverts completely and re-applies to an identical schema', async () => {
      const migrated = await catalog();
      expect(migrated.filter((row) => row.kind === 'table').length).toBeGreaterThanOrEqual(19);

      expect(await revertAllMigrations(database.url)).toEqual([...MIGRATION_NAMES].reverse());
      const reverted = await catalog();
      // Only TypeORM's own bookkeeping table is left.
      const ownedByMigrationsTable = (row: CatalogRow) => row.name.startsWith('schema_migrations') || row.definition.includes('public.schema_migrations ');
      expect(reverted.filter((row) => !ownedByMigrationsTable(row))).toEqual([]);

      expect(await runMigrations(database.url)).toEqual(MIGRATION_NAMES);
      expect(await catalog()).toEqual(migrated);
      expect(await pendingSchemaChanges()).toEqual([]);
    });
  });

  describe('immutability triggers', () => {
    let workspaceId: string;

    const insertWorkspace = async (name: string): Promise<string> => {
      const [row] = (await dataSource.query('INSERT INTO workspaces (name) VALUES ($1) RETURNING id', [name])) as Array<{ id: string }>;
      return row.id;
    };
    const insertConfig = (version: string) =>
      dataSource.query(`INSERT INTO configs (workspace_id, name, version, data, checksum, created_by) VALUES ($1, 'routing', $2, '{}', 'c', 'op')`, [
        workspaceId,
        version,
      ]);
    let auditTail = AUDIT_GENESIS_HASH;
    const insertAudit = async (workspace: string | null) => {
      const hash = `h${auditTail.slice(0, 8)}${Math.random().toString(16).slice(2)}`;
      await dataSource.query(
        `INSERT INTO operator_audit_log (workspace_id, actor_type, actor_id, action, reason, prev_hash, hash) VALUES ($1, 'operator', 'op-1', 'x.update', 'why', $2, $3)`,
        [workspace, auditTail, hash],
      );
      auditTail = hash;
    };

    beforeAll(async () => {
      workspaceId = await insertWorkspace('immutable-dev');
      await insertConfig('1');
      await insertAudit(workspaceId);
    });

    it.each([
      ['configs', 'UPDATE', `UPDATE configs SET checksum = 'tampered'`],
      ['configs', 'DELETE', 'DELETE FROM configs'],
      // Plain TRUNCATE configs already fails on the foreign keys pointing at it; CASCADE reaches the trigger.
      ['configs', 'TRUNCATE', 'TRUNCATE configs CASCADE'],
      ['configs', 'TRUNCATE', 'TRUNCATE workspaces CASCADE'],
      ['operator_audit_log', 'UPDATE', `UPDATE operator_audit_log SET reason = 'tampered'`],
      ['operator_audit_log', 'DELETE', 'DELETE FROM operator_audit_log'],
      ['operator_audit_log', 'TRUNCATE', 'TRUNCATE operator_audit_log'],
    ])('rejects %s %s (%s)', async (table, operation, sql) => {
      await expect(dataSource.query(sql)).rejects.toMatchObject({
        code: 'P0001',
        message: `${table} is append-only: ${operation} is not allowed`,
      });
    });

    it('lets a workspace deletion take its config versions but keeps its audit rows', async () => {
      const doomed = await insertWorkspace('doomed-dev');
      await dataSource.query(
        `INSERT INTO configs (workspace_id, name, version, data, checksum, created_by) VALUES ($1, 'routing', '1', '{}', 'c', 'op') `,
        [doomed],
      );
      await insertAudit(doomed);

      await dataSource.query('DELETE FROM workspaces WHERE id = $1', [doomed]);

      expect(await dataSource.query('SELECT count(*)::int AS n FROM configs WHERE workspace_id = $1', [doomed])).toEqual([{ n: 0 }]);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM operator_audit_log WHERE workspace_id = $1', [doomed])).toEqual([{ n: 1 }]);
      expect(await dataSource.query('SELECT count(*)::int AS n FROM configs WHERE workspace_id = $1', [workspaceId])).toEqual([{ n: 1 }]);
    });
  });
});
