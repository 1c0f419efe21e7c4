import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { JobEntity } from './job.entity';
import { TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One attempt of a job. (job_id, attempt) is unique, so a redelivered attempt cannot record twice. */
@Entity({ name: 'runs' })
@Unique('uq_runs_job_attempt', ['jobId', 'attempt'])
@Index('ix_runs_workspace_started', ['workspaceId', 'startedAt'])
@Check('ck_runs_status', `status IN (${sqlList(RUN_STATUSES)})`)
@Check('ck_runs_attempt', 'attempt >= 1')
export class RunEntity {
  @UuidPrimaryColumn('runs')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('runs')
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid', name: 'job_id' })
  jobId!: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'fk_runs_job' })
  job?: JobEntity;

  @Column({ type: 'integer', name: 'attempt' })
  attempt!: number;

  @Column({ type: 'text', name: 'status', default: 'running' })
  status!: RunStatus;

  @TimestampColumn('started_at', { defaultNow: true })
  startedAt!: Date;

  @TimestampColumn('finished_at', { nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'integer', name: 'upstream_status', nullable: true })
  upstreamStatus!: number | null;

  @Column({ type: 'integer', name: 'duration_ms', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'jsonb', name: 'error', nullable: true })
  error!: { code: string; message: string; details?: unknown } | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
