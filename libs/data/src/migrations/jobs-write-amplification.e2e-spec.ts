import { DataSource } from 'typeorm';
import { createDataSourceOptions, revertLastMigration, runMigrations } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';

const NAME = 'JobsWriteAmplification1796100000000';
const WORKSPACE = '11111111-1111-4111-8111-111111111111';

interface IndexRow {
  name: string;
  definition: string;
  valid: boolean;
}

/**
 * The migration builds its indexes CONCURRENTLY outside a transaction, so it can stop half-way (a
 * failed build, a killed deploy): run again, it must finish the job from whatever it left.
 */
describe('JobsWriteAmplification migration', () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;

  const jobIndexes = async (): Promise<IndexRow[]> =>
    dataSource.query(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'jobs'::regclass ORDER BY c.relname`,
    );
  const runsOptions = async (): Promise<string[] | null> => {
    const [row] = (await dataSource.query(`SELECT reloptions FROM pg_class WHERE oid = 'runs'::regclass`)) as Array<{ reloptions: string[] | null }>;
    return row?.reloptions ?? null;
  };

  const expectMigrated = async (): Promise<void> => {
    const indexes = await jobIndexes();
    expect(indexes.every((index) => index.valid)).toBe(true);
    expect(indexes.map((index) => index.name)).toEqual(['ix_jobs_active', 'ix_jobs_callback_pending', 'ix_jobs_unsuccessful', 'ix_jobs_workspace_created', 'pk_jobs']);
    const definition = (name: string) => indexes.find((index) => index.name === name)?.definition;
    expect(definition('ix_jobs_active')).toBe(
      "CREATE INDEX ix_jobs_active ON public.jobs USING btree (workspace_id, status, created_at) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]))",
    );
    expect(definition('ix_jobs_unsuccessful')).toBe(
      "CREATE INDEX ix_jobs_unsuccessful ON public.jobs USING btree (workspace_id, status, created_at) WHERE (status = ANY (ARRAY['failed'::text, 'dead_lettered'::text, 'cancelled'::text]))",
    );
    expect(await runsOptions()).toEqual(['fillfactor=80']);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
    await dataSource.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'write-amplification')`, [WORKSPACE]);
    // Two jobs of one workspace: a UNIQUE build on workspace_id fails on them.
    await dataSource.query(`INSERT INTO jobs (workspace_id, connector, operation, status) VALUES ($1, 'c', 'op', 'dead_lettered'), ($1, 'c', 'op', 'queued')`, [WORKSPACE]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('leaves the indexes and the runs fillfactor as the entities and docs describe', async () => {
    await expectMigrated();
  });

  it('reverts to the previous indexes', async () => {
    expect(await revertLastMigration(database.url)).toBe(NAME);
    const names = (await jobIndexes()).map((index) => index.name);
    expect(names).toContain('ix_jobs_workspace_status_created');
    expect(names).not.toContain('ix_jobs_unsuccessful');
    expect((await jobIndexes()).find((index) => index.name === 'ix_jobs_active')?.definition).toContain('(workspace_id, status, updated_at)');
    expect(await runsOptions()).toBeNull();
    expect(await runMigrations(database.url)).toEqual([NAME]);
    await expectMigrated();
  });

  it('rebuilds an index whose concurrent build failed half-way (left invalid)', async () => {
    expect(await revertLastMigration(database.url)).toBe(NAME);
    // What a failed CREATE INDEX CONCURRENTLY leaves behind: the index, marked invalid.
    await expect(dataSource.query('CREATE UNIQUE INDEX CONCURRENTLY ix_jobs_unsuccessful ON jobs (workspace_id)')).rejects.toThrow(/could not create unique index/);
    expect((await jobIndexes()).find((index) => index.name === 'ix_jobs_unsuccessful')?.valid).toBe(false);

    expect(await runMigrations(database.url)).toEqual([NAME]);
    await expectMigrated();
  });

  it('finishes the swap of the active-jobs index after a stop between its steps', async () => {
    expect(await revertLastMigration(database.url)).toBe(NAME);
    // Stopped after the first steps and the new active-jobs index, before the swap.
    await dataSource.query(`CREATE INDEX ix_jobs_unsuccessful ON jobs (workspace_id, status, created_at) WHERE status IN ('failed', 'dead_lettered', 'cancelled')`);
    await dataSource.query('DROP INDEX ix_jobs_workspace_status_created');
    await dataSource.query(`CREATE INDEX ix_jobs_active_by_created ON jobs (workspace_id, status, created_at) WHERE status IN ('queued', 'running')`);

    expect(await runMigrations(database.url)).toEqual([NAME]);
    await expectMigrated();
  });
});
