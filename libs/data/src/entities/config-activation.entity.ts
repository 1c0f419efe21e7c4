import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { ConfigEntity } from './config.entity';
import { CreatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export const CONFIG_ACTIVATION_ACTIONS = ['activate', 'rollback'] as const;
export type ConfigActivationAction = (typeof CONFIG_ACTIVATION_ACTIONS)[number];

/** History of pointer moves; the audit log holds the same facts, this table serves the config UI. */
@Entity({ name: 'config_activations' })
@Index('ix_config_activations_workspace_name_created', ['workspaceId', 'name', 'createdAt'])
@Check('ck_config_activations_action', `action IN (${sqlList(CONFIG_ACTIVATION_ACTIONS)})`)
export class ConfigActivationEntity {
  @UuidPrimaryColumn('config_activations')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('config_activations')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  /** Null on the first activation of a name. */
  @Column({ type: 'uuid', name: 'from_config_id', nullable: true })
  fromConfigId!: string | null;

  @ManyToOne(() => ConfigEntity, { nullable: true })
  @JoinColumn({ name: 'from_config_id', foreignKeyConstraintName: 'fk_config_activations_from_config' })
  fromConfig?: ConfigEntity | null;

  @Column({ type: 'uuid', name: 'to_config_id' })
  toConfigId!: string;

  @ManyToOne(() => ConfigEntity, { nullable: false })
  @JoinColumn({ name: 'to_config_id', foreignKeyConstraintName: 'fk_config_activations_to_config' })
  toConfig?: ConfigEntity;

  @Column({ type: 'text', name: 'action' })
  action!: ConfigActivationAction;

  @Column({ type: 'text', name: 'actor' })
  actor!: string;

  @Column({ type: 'text', name: 'reason' })
  reason!: string;

  @CreatedAtColumn()
  createdAt!: Date;
}
