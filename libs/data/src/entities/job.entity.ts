import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { ConnectorEntity } from './connector.entity';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'dead_lettered', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const CALLBACK_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/**
 * Queued or running: what the queue-depth quota counts and the partial index `ix_jobs_active`
 * holds. Written literally in a query, the planner can match it to that index (a status array
 * parameter cannot be).
 */
export const ACTIVE_JOB_CONDITION = "status IN ('queued', 'running')";

/**
 * The outcomes a list filters for to find what went wrong (the DLQ among them): the partial index
 * `ix_jobs_unsuccessful` holds these rows only, so succeeded jobs and the earlier versions of
 * every row (queued, running) add no entry to it.
 */
export const UNSUCCESSFUL_JOB_CONDITION = "status IN ('failed', 'dead_lettered', 'cancelled')";

/** W3C trace context carried from the API into the worker. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

/**
 * An accepted unit of async work. The row is written before the queue entry (DESIGN §6), so
 * a sweeper can re-enqueue what Redis lost. Active rows (queued, running) have their own partial
 * index: the queue-depth guard and the sweeper read it, whatever the history holds. A list by
 * status reads that one, `ix_jobs_unsuccessful`, or (succeeded) the workspace's jobs by creation.
 */
@Entity({ name: 'jobs' })
@Index('ix_jobs_unsuccessful', ['workspaceId', 'status', 'createdAt'], { where: UNSUCCESSFUL_JOB_CONDITION })
@Index('ix_jobs_workspace_created', ['workspaceId', 'createdAt'])
@Index('ix_jobs_active', ['workspaceId', 'status', 'createdAt'], { where: ACTIVE_JOB_CONDITION })
@Index('ix_jobs_callback_pending', ['updatedAt'], { where: "callback_status IN ('pending', 'delivering')" })
@Check('ck_jobs_status', `status IN (${sqlList(JOB_STATUSES)})`)
@Check('ck_jobs_callback_status', `callback_status IS NULL OR callback_status IN (${sqlList(CALLBACK_STATUSES)})`)
@Check('ck_jobs_attempts', 'attempts >= 0 AND max_attempts >= 1')
export class JobEntity {
  @UuidPrimaryColumn('jobs')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('jobs')
  workspace?: WorkspaceEntity;

  /** Null once the connector is deleted; `connector` keeps the name the job was submitted with. */
  @Column({ type: 'uuid', name: 'connector_id', nullable: true })
  connectorId!: string | null;

  @ManyToOne(() => ConnectorEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'connector_id', foreignKeyConstraintName: 'fk_jobs_connector' })
  connectorEntity?: ConnectorEntity | null;

  @Column({ type: 'text', name: 'connector' })
  connector!: string;

  @Column({ type: 'text', name: 'operation' })
  operation!: string;

  /** Inline payload, or null when it is stored by reference in payload_ref. */
  @Column({ type: 'jsonb', name: 'payload', nullable: true })
  payload!: unknown;

  @Column({ type: 'text', name: 'payload_ref', nullable: true })
  payloadRef!: string | null;

  @Column({ type: 'text', name: 'status', default: 'queued' })
  status!: JobStatus;

  @Column({ type: 'integer', name: 'attempts', default: 0 })
  attempts!: number;

  @Column({ type: 'integer', name: 'max_attempts', default: 3 })
  maxAttempts!: number;

  @Column({ type: 'text', name: 'callback_url', nullable: true })
  callbackUrl!: string | null;

  @Column({ type: 'text', name: 'callback_status', nullable: true })
  callbackStatus!: CallbackStatus | null;

  @Column({ type: 'integer', name: 'callback_attempts', default: 0 })
  callbackAttempts!: number;

  @TimestampColumn('delay_until', { nullable: true })
  delayUntil!: Date | null;

  @Column({ type: 'jsonb', name: 'output', nullable: true })
  output!: unknown;

  /** `{code, message, details?}` in the contract's error shape. */
  @Column({ type: 'jsonb', name: 'error', nullable: true })
  error!: { code: string; message: string; details?: unknown } | null;

  @Column({ type: 'boolean', name: 'cancel_requested', default: false })
  cancelRequested!: boolean;

  /** Config version pinned at submission; null runs against the active one. */
  @Column({ type: 'text', name: 'config_version', nullable: true })
  configVersion!: string | null;

  @Column({ type: 'jsonb', name: 'trace_context', nullable: true })
  traceContext!: TraceContext | null;

  @Column({ type: 'varchar', length: 255, name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;

  @TimestampColumn('started_at', { nullable: true })
  startedAt!: Date | null;

  @TimestampColumn('finished_at', { nullable: true })
  finishedAt!: Date | null;
}
