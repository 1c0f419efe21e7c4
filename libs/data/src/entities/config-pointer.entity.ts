import { Column, Entity, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { ConfigEntity } from './config.entity';
import { CreatedAtColumn, UpdatedAtColumn, UuidPrimaryColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/** Which version of config `name` is active in a workspace; activate and rollback move it. */
@Entity({ name: 'config_pointers' })
@Unique('uq_config_pointers_workspace_name', ['workspaceId', 'name'])
export class ConfigPointerEntity {
  @UuidPrimaryColumn('config_pointers')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('config_pointers')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  @Column({ type: 'uuid', name: 'active_config_id' })
  activeConfigId!: string;

  @ManyToOne(() => ConfigEntity, { nullable: false })
  @JoinColumn({ name: 'active_config_id', foreignKeyConstraintName: 'fk_config_pointers_active_config' })
  activeConfig?: ConfigEntity;

  @Column({ type: 'uuid', name: 'previous_config_id', nullable: true })
  previousConfigId!: string | null;

  @ManyToOne(() => ConfigEntity, { nullable: true })
  @JoinColumn({ name: 'previous_config_id', foreignKeyConstraintName: 'fk_config_pointers_previous_config' })
  previousConfig?: ConfigEntity | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
