import { Column, Entity, Index } from 'typeorm';
import { BigIdentityPrimaryColumn, CreatedAtColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/** One line per authenticated exec-api request, for the console and retention. */
@Entity({ name: 'request_log' })
@Index('ix_request_log_workspace_created', ['workspaceId', 'createdAt'])
export class RequestLogEntity {
  @BigIdentityPrimaryColumn('request_log')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('request_log')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'request_id' })
  requestId!: string;

  @Column({ type: 'text', name: 'method' })
  method!: string;

  /** The route template (`/v1/jobs/:id`), never the raw URL. */
  @Column({ type: 'text', name: 'route' })
  route!: string;

  @Column({ type: 'integer', name: 'status' })
  status!: number;

  @Column({ type: 'integer', name: 'duration_ms' })
  durationMs!: number;

  @Column({ type: 'text', name: 'connector', nullable: true })
  connector!: string | null;

  @Column({ type: 'text', name: 'operation', nullable: true })
  operation!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;
}
