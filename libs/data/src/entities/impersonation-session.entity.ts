import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn } from './columns';
import { OperatorEntity } from './operator.entity';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/**
 * An operator acting as a workspace. The session id goes into the token so that stopping the
 * session (ended_at) or its expiry refuses the token before its own `exp`.
 */
@Entity({ name: 'impersonation_sessions' })
@Index('ix_impersonation_sessions_workspace_created', ['workspaceId', 'createdAt'])
@Index('ix_impersonation_sessions_operator_id', ['operatorId'])
export class ImpersonationSessionEntity {
  @UuidPrimaryColumn('impersonation_sessions')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('impersonation_sessions')
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid', name: 'operator_id' })
  operatorId!: string;

  @ManyToOne(() => OperatorEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'operator_id', foreignKeyConstraintName: 'fk_impersonation_sessions_operator' })
  operator?: OperatorEntity;

  @Column({ type: 'text', name: 'reason' })
  reason!: string;

  @TimestampColumn('expires_at')
  expiresAt!: Date;

  @TimestampColumn('ended_at', { nullable: true })
  endedAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
