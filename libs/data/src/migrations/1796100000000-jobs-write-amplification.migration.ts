import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per job (issue 6, D70): a job row is written three times (queued, running,
 * finished) and its run row twice, and each version of a row that is not a HOT update adds an
 * entry to every index of its table.
 *
 * - `ix_jobs_workspace_status_created (workspace_id, status, created_at)` held all three versions
 *   of every job, for list filters by status. `ix_jobs_unsuccessful` holds the unsuccessful
 *   outcomes only (`failed`, `dead_lettered`, `cancelled`: the DLQ and the "what went wrong"
 *   lists, rare among the rest); a `succeeded` filter reads the workspace's jobs by creation
 *   (`ix_jobs_workspace_created`), where nearly every row matches, and a `queued`/`running` filter
 *   reads `ix_jobs_active`, now ordered by `created_at` as the lists are (its `updated_at` served
 *   no query: the sweeper reads across workspaces and checks columns of the row anyway).
 * - `runs` keeps a fifth of each page free (fillfactor 80): finishing a run changes no indexed
 *   column, so its update can stay on the page as a HOT update, without new index entries.
 *   Applies to pages written from now on.
 *
 * `up` runs outside a transaction and builds and drops indexes CONCURRENTLY, so a deploy onto a
 * large, busy jobs table does not block its writes. Each step can be run again: a build that
 * failed half-way leaves an invalid index, which the next run drops and builds anew. `down` (a
 * development tool: TypeORM reverts inside a transaction) rebuilds the old indexes plainly.
 */
export class JobsWriteAmplification1796100000000 implements MigrationInterface {
  name = 'JobsWriteAmplification1796100000000';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(queryRunner, 'ix_jobs_unsuccessful', `ON jobs (workspace_id, status, created_at) WHERE status IN ('failed', 'dead_lettered', 'cancelled')`);
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS ix_jobs_workspace_status_created');
    // The queue-depth guard must always have an active-rows index: build the new one beside the old, then swap the names.
    const active = await indexState(queryRunner, 'ix_jobs_active');
    if (!active?.definition.includes('(workspace_id, status, created_at)')) {
      await createIndexConcurrently(queryRunner, 'ix_jobs_active_by_created', `ON jobs (workspace_id, status, created_at) WHERE status IN ('queued', 'running')`);
      await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS ix_jobs_active');
      await queryRunner.query('ALTER INDEX ix_jobs_active_by_created RENAME TO ix_jobs_active');
    }
    await queryRunner.query('ALTER TABLE runs SET (fillfactor = 80)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE runs RESET (fillfactor)');
    await queryRunner.query('DROP INDEX ix_jobs_active');
    await queryRunner.query(`CREATE INDEX ix_jobs_active ON jobs (workspace_id, status, updated_at) WHERE status IN ('queued', 'running')`);
    await queryRunner.query('CREATE INDEX ix_jobs_workspace_status_created ON jobs (workspace_id, status, created_at)');
    await queryRunner.query('DROP INDEX ix_jobs_unsuccessful');
  }
}

/** CREATE INDEX CONCURRENTLY that can be run again: a valid index of that name is kept, an invalid one (a failed build) is rebuilt. */
async function createIndexConcurrently(queryRunner: QueryRunner, name: string, definition: string): Promise<void> {
  const existing = await indexState(queryRunner, name);
  if (existing?.valid) return;
  if (existing) await queryRunner.query(`DROP INDEX CONCURRENTLY ${name}`);
  await queryRunner.query(`CREATE INDEX CONCURRENTLY ${name} ${definition}`);
}

/** Whether an index of that name exists in the current schema, whether it is valid, and its definition. */
async function indexState(queryRunner: QueryRunner, name: string): Promise<{ valid: boolean; definition: string } | undefined> {
  const rows: Array<{ valid: boolean; definition: string }> = await queryRunner.query(
    `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = current_schema()`,
    [name],
  );
  return rows[0];
}
