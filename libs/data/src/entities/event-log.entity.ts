import { Column, Entity, Index } from 'typeorm';
import { BigIdentityPrimaryColumn, CreatedAtColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

/**
 * Job and execution events, read by `GET /v1/events` and the SSE stream. `id` is the SSE
 * event id (`Last-Event-ID`). Identity values are taken at INSERT, not at COMMIT, so a reader
 * resuming "after N" should not trust ids newer than its oldest in-flight transaction.
 * job_id has no foreign key: events outlive a purged job until retention.
 */
@Entity({ name: 'event_log' })
@Index('ix_event_log_workspace_id', ['workspaceId', 'id'])
@Index('ix_event_log_workspace_job', ['workspaceId', 'jobId', 'id'])
export class EventLogEntity {
  /** bigint arrives as a string (it can exceed Number.MAX_SAFE_INTEGER). */
  @BigIdentityPrimaryColumn('event_log')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('event_log')
  workspace?: WorkspaceEntity;

  /** e.g. `job.queued`, `run.failed`, `execution.succeeded`. */
  @Column({ type: 'text', name: 'type' })
  type!: string;

  @Column({ type: 'uuid', name: 'job_id', nullable: true })
  jobId!: string | null;

  @Column({ type: 'uuid', name: 'execution_id', nullable: true })
  executionId!: string | null;

  @Column({ type: 'jsonb', name: 'data', default: {} })
  data!: Record<string, unknown>;

  @CreatedAtColumn()
  createdAt!: Date;
}
