import { Check, Column, Entity, Unique } from 'typeorm';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export const TOKEN_AUDIENCES = ['orchestrator-exec', 'orchestrator-control'] as const;
export type TokenAudience = (typeof TOKEN_AUDIENCES)[number];

/** A client-credentials identity (`svc:<product>-backend`) of one workspace. Secrets are stored hashed. */
@Entity({ name: 'service_identities' })
@Unique('uq_service_identities_workspace_name', ['workspaceId', 'name'])
@Unique('uq_service_identities_client_id', ['clientId'])
@Check('ck_service_identities_name', `name LIKE 'svc:%'`)
@Check('ck_service_identities_audience', `audience IN (${sqlList(TOKEN_AUDIENCES)})`)
export class ServiceIdentityEntity {
  @UuidPrimaryColumn('service_identities')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('service_identities')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  @Column({ type: 'text', name: 'client_id' })
  clientId!: string;

  @Column({ type: 'text', name: 'client_secret_hash' })
  clientSecretHash!: string;

  /** The secret replaced by the last rotation, accepted until previous_secret_expires_at. */
  @Column({ type: 'text', name: 'previous_client_secret_hash', nullable: true })
  previousClientSecretHash!: string | null;

  @TimestampColumn('previous_secret_expires_at', { nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'text', name: 'audience' })
  audience!: TokenAudience;

  @Column({ type: 'text', name: 'scopes', array: true, default: [] })
  scopes!: string[];

  @TimestampColumn('revoked_at', { nullable: true })
  revokedAt!: Date | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
