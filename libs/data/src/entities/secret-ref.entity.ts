import { Check, Column, Entity, Unique } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn, UuidPrimaryColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/** A named pointer to a secret (`env://NAME`, `vault://name`); the value itself never lives here. */
@Entity({ name: 'secret_refs' })
@Unique('uq_secret_refs_workspace_name', ['workspaceId', 'name'])
@Check('ck_secret_refs_ref', `ref ~ '^[a-z][a-z0-9+.-]*://.+'`)
export class SecretRefEntity {
  @UuidPrimaryColumn('secret_refs')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('secret_refs')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  @Column({ type: 'text', name: 'ref' })
  ref!: string;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
