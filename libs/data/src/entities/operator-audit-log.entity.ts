import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { BigIdentityPrimaryColumn, CreatedAtColumn, sqlList } from './columns';

export const AUDIT_ACTOR_TYPES = ['operator', 'service', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** prev_hash of the first row of the chain. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The append-only, hash-chained audit log. A trigger rejects UPDATE, DELETE and TRUNCATE.
 * workspace_id has no foreign key on purpose: rows must outlive the workspace they describe,
 * and some actions (operators, bootstrap) belong to none. The unique prev_hash keeps the
 * chain linear: two writers racing for the same tail cannot both append.
 */
@Entity({ name: 'operator_audit_log' })
@Unique('uq_operator_audit_log_prev_hash', ['prevHash'])
@Index('ix_operator_audit_log_workspace_id', ['workspaceId', 'id'])
@Check('ck_operator_audit_log_actor_type', `actor_type IN (${sqlList(AUDIT_ACTOR_TYPES)})`)
export class OperatorAuditLogEntity {
  @BigIdentityPrimaryColumn('operator_audit_log')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id', nullable: true })
  workspaceId!: string | null;

  @Column({ type: 'text', name: 'actor_type' })
  actorType!: AuditActorType;

  @Column({ type: 'text', name: 'actor_id' })
  actorId!: string;

  /** The operator acting through an impersonation token (RFC 8693 `act.sub`). */
  @Column({ type: 'text', name: 'impersonator_id', nullable: true })
  impersonatorId!: string | null;

  /** e.g. `connector.update`, `config.activate`, `impersonation.start`. */
  @Column({ type: 'text', name: 'action' })
  action!: string;

  @Column({ type: 'text', name: 'target_type', nullable: true })
  targetType!: string | null;

  @Column({ type: 'text', name: 'target_id', nullable: true })
  targetId!: string | null;

  @Column({ type: 'text', name: 'reason', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', name: 'before', nullable: true })
  before!: unknown;

  @Column({ type: 'jsonb', name: 'after', nullable: true })
  after!: unknown;

  @Column({ type: 'text', name: 'request_id', nullable: true })
  requestId!: string | null;

  @Column({ type: 'inet', name: 'ip', nullable: true })
  ip!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @Column({ type: 'text', name: 'prev_hash' })
  prevHash!: string;

  @Column({ type: 'text', name: 'hash' })
  hash!: string;
}
