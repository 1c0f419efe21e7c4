import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Jobs are read by state in two places that must not grow with a workspace's history: the
 * queue-depth guard of `POST /v1/jobs` counts a workspace's `queued` and `running` rows on every
 * submission batch, and the worker's sweeper looks across workspaces for `queued`/`running` rows
 * by age. Both now read one partial index holding active rows only; it replaces
 * `(status, updated_at)`, whose finished rows (the vast majority) served nobody. The callback
 * sweeps (`pending`/`delivering` callbacks by age) get their own partial index instead of
 * scanning the table.
 */
export class JobsActiveIndex1796000000000 implements MigrationInterface {
  name = 'JobsActiveIndex1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX ix_jobs_active ON jobs (workspace_id, status, updated_at) WHERE status IN ('queued', 'running')`);
    await queryRunner.query(`CREATE INDEX ix_jobs_callback_pending ON jobs (updated_at) WHERE callback_status IN ('pending', 'delivering')`);
    await queryRunner.query('DROP INDEX ix_jobs_status_updated');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX ix_jobs_status_updated ON jobs (status, updated_at)');
    await queryRunner.query('DROP INDEX ix_jobs_callback_pending');
    await queryRunner.query('DROP INDEX ix_jobs_active');
  }
}
