import { Column, Entity, Unique } from 'typeorm';
import { CreatedAtColumn, UuidPrimaryColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/**
 * One immutable version of a named config. A trigger rejects UPDATE, DELETE and TRUNCATE; the
 * only way a row goes is its workspace being deleted (the cascade is let through).
 */
@Entity({ name: 'configs' })
@Unique('uq_configs_workspace_name_version', ['workspaceId', 'name', 'version'])
export class ConfigEntity {
  @UuidPrimaryColumn('configs')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('configs')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  @Column({ type: 'text', name: 'version' })
  version!: string;

  @Column({ type: 'jsonb', name: 'data' })
  data!: unknown;

  /** sha256 of the canonical JSON of `data`, so a re-import of the same content is recognised. */
  @Column({ type: 'text', name: 'checksum' })
  checksum!: string;

  /** Actor id (operator or service identity) that created the version. */
  @Column({ type: 'text', name: 'created_by' })
  createdBy!: string;

  @CreatedAtColumn()
  createdAt!: Date;
}
