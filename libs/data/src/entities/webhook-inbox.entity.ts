import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WebhookRouteEntity } from './webhook-route.entity';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export const WEBHOOK_INBOX_STATUSES = ['received', 'processing', 'processed', 'failed'] as const;
export type WebhookInboxStatus = (typeof WEBHOOK_INBOX_STATUSES)[number];

/**
 * A verified webhook, stored before it is acknowledged. The unique provider event id per
 * (workspace, provider) is what makes a redelivery a no-op.
 */
@Entity({ name: 'webhook_inbox' })
@Unique('uq_webhook_inbox_workspace_provider_event', ['workspaceId', 'provider', 'eventId'])
@Index('ix_webhook_inbox_workspace_status_received', ['workspaceId', 'status', 'receivedAt'])
@Index('ix_webhook_inbox_workspace_received', ['workspaceId', 'receivedAt'])
@Index('ix_webhook_inbox_pending_updated', ['updatedAt'], { where: "status IN ('received', 'processing')" })
@Check('ck_webhook_inbox_status', `status IN (${sqlList(WEBHOOK_INBOX_STATUSES)})`)
@Check('ck_webhook_inbox_payload', 'payload IS NOT NULL OR payload_ref IS NOT NULL')
export class WebhookInboxEntity {
  @UuidPrimaryColumn('webhook_inbox')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('webhook_inbox')
  workspace?: WorkspaceEntity;

  /** Kept when the route is deleted: the received event stays inspectable until retention. */
  @Column({ type: 'uuid', name: 'route_id', nullable: true })
  routeId!: string | null;

  @ManyToOne(() => WebhookRouteEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'route_id', foreignKeyConstraintName: 'fk_webhook_inbox_route' })
  route?: WebhookRouteEntity | null;

  @Column({ type: 'text', name: 'provider' })
  provider!: string;

  @Column({ type: 'text', name: 'event_id' })
  eventId!: string;

  @Column({ type: 'text', name: 'event_type', nullable: true })
  eventType!: string | null;

  @Column({ type: 'jsonb', name: 'headers', default: {} })
  headers!: Record<string, string>;

  /** Inline payload, or null when it is stored by reference in payload_ref. */
  @Column({ type: 'jsonb', name: 'payload', nullable: true })
  payload!: unknown;

  @Column({ type: 'text', name: 'payload_ref', nullable: true })
  payloadRef!: string | null;

  @Column({ type: 'text', name: 'status', default: 'received' })
  status!: WebhookInboxStatus;

  @Column({ type: 'integer', name: 'attempts', default: 0 })
  attempts!: number;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  @TimestampColumn('received_at', { defaultNow: true })
  receivedAt!: Date;

  @TimestampColumn('processed_at', { nullable: true })
  processedAt!: Date | null;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
