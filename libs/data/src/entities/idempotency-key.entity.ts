import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export const IDEMPOTENCY_STATUSES = ['in_flight', 'completed'] as const;
export type IdempotencyStatus = (typeof IDEMPOTENCY_STATUSES)[number];

/**
 * The stored outcome of a POST with `Idempotency-Key`. Inserting the in_flight row is the
 * claim: the unique (workspace, endpoint, key) lets exactly one request across replicas win.
 */
@Entity({ name: 'idempotency_keys' })
@Unique('uq_idempotency_keys_workspace_endpoint_key', ['workspaceId', 'endpoint', 'key'])
@Index('ix_idempotency_keys_expires_at', ['expiresAt'])
@Check('ck_idempotency_keys_status', `status IN (${sqlList(IDEMPOTENCY_STATUSES)})`)
export class IdempotencyKeyEntity {
  @UuidPrimaryColumn('idempotency_keys')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('idempotency_keys')
  workspace?: WorkspaceEntity;

  /** e.g. `POST /v1/jobs`. */
  @Column({ type: 'text', name: 'endpoint' })
  endpoint!: string;

  @Column({ type: 'varchar', length: 255, name: 'key' })
  key!: string;

  /** Hash of the request body: a repeat with another body is IDEMPOTENCY_KEY_REUSED. */
  @Column({ type: 'text', name: 'fingerprint' })
  fingerprint!: string;

  @Column({ type: 'text', name: 'status', default: 'in_flight' })
  status!: IdempotencyStatus;

  @Column({ type: 'integer', name: 'response_status', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'jsonb', name: 'response_body', nullable: true })
  responseBody!: unknown;

  @Column({ type: 'jsonb', name: 'response_headers', nullable: true })
  responseHeaders!: Record<string, string> | null;

  /** An in_flight claim older than this belongs to a crashed request and may be taken over. */
  @TimestampColumn('locked_until', { nullable: true })
  lockedUntil!: Date | null;

  @TimestampColumn('expires_at')
  expiresAt!: Date;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
