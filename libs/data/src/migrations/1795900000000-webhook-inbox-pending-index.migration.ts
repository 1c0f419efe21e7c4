import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker's webhook sweeper and inbox-lag gauge look across workspaces for rows still
 * `received` or `processing` by age; a partial index keeps that read small however many
 * processed rows the inbox holds.
 */
export class WebhookInboxPendingIndex1795900000000 implements MigrationInterface {
  name = 'WebhookInboxPendingIndex1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX ix_webhook_inbox_pending_updated ON webhook_inbox (updated_at) WHERE status IN ('received', 'processing')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_webhook_inbox_pending_updated');
  }
}
