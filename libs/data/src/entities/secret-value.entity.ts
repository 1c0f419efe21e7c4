import { Check, Column, Entity, Unique } from 'typeorm';
import { CreatedAtColumn, UuidPrimaryColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/**
 * One version of a `vault://` secret: AES-256-GCM ciphertext under a per-version data key,
 * itself wrapped by the master key `master_key_id`. Rotation adds a version; rows never change.
 */
@Entity({ name: 'secret_values' })
@Unique('uq_secret_values_workspace_name_version', ['workspaceId', 'secretName', 'version'])
@Check('ck_secret_values_version', 'version > 0')
export class SecretValueEntity {
  @UuidPrimaryColumn('secret_values')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('secret_values')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'secret_name' })
  secretName!: string;

  @Column({ type: 'integer', name: 'version' })
  version!: number;

  @Column({ type: 'bytea', name: 'ciphertext' })
  ciphertext!: Buffer;

  @Column({ type: 'bytea', name: 'iv' })
  iv!: Buffer;

  @Column({ type: 'bytea', name: 'auth_tag' })
  authTag!: Buffer;

  @Column({ type: 'bytea', name: 'wrapped_data_key' })
  wrappedDataKey!: Buffer;

  @Column({ type: 'text', name: 'master_key_id' })
  masterKeyId!: string;

  @CreatedAtColumn()
  createdAt!: Date;
}
