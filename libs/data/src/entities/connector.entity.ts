import { Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn, UuidPrimaryColumn } from './columns';
import { PolicyEntity } from './policy.entity';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/** An instance of a connector type in a workspace (DESIGN §5). */
@Entity({ name: 'connectors' })
@Unique('uq_connectors_workspace_name', ['workspaceId', 'name'])
export class ConnectorEntity {
  @UuidPrimaryColumn('connectors')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('connectors')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  /** Connector type id (`http`, `stripe`, `smtp`, `s3`, …); its config_schema validates `config`. */
  @Column({ type: 'text', name: 'type' })
  type!: string;

  @Column({ type: 'jsonb', name: 'config', default: {} })
  config!: Record<string, unknown>;

  /** Null means the workspace's `default` policy. The caller checks the policy is in the same workspace. */
  @Index('ix_connectors_policy_id')
  @Column({ type: 'uuid', name: 'policy_id', nullable: true })
  policyId!: string | null;

  /** A policy in use cannot be deleted. */
  @ManyToOne(() => PolicyEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'policy_id', foreignKeyConstraintName: 'fk_connectors_policy' })
  policy?: PolicyEntity | null;

  /** Secret-schema field → secret ref name in the same workspace (never a value). */
  @Column({ type: 'jsonb', name: 'secret_refs', default: {} })
  secretRefs!: Record<string, string>;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
