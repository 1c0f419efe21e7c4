import { Check, Column, Entity, Index, Unique } from 'typeorm';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn, UuidPrimaryColumn } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export type WebhookVerificationScheme = 'stripe' | 'standard-webhooks' | 'hmac-sha256';

export interface WebhookVerification {
  scheme: WebhookVerificationScheme;
  /** hmac-sha256: header carrying the signature. */
  header?: string;
  /** hmac-sha256: how the signature is encoded, and an optional `sha256=`-style prefix. */
  encoding?: 'hex' | 'base64';
  prefix?: string;
  /** Seconds a signed timestamp may be off (stripe default 300). */
  tolerance_seconds?: number;
  /** JSON Pointer to the provider's event id (and type) in the payload, for dedupe. */
  event_id_path?: string;
  event_type_path?: string;
}

export type WebhookTarget =
  | { kind: 'forward'; url: string }
  | { kind: 'connector'; connector: string; operation: string }
  | { kind: 'store' };

/**
 * How webhooks of one provider reach one workspace: by route key in the URL, or by the
 * provider account id found in the payload (unique per provider when set).
 */
@Entity({ name: 'webhook_routes' })
@Unique('uq_webhook_routes_route_key', ['routeKey'])
@Index('uq_webhook_routes_provider_account', ['provider', 'providerAccountId'], {
  unique: true,
  where: 'provider_account_id IS NOT NULL',
})
@Index('ix_webhook_routes_workspace_id', ['workspaceId'])
@Check('ck_webhook_routes_provider', `provider ~ '^[a-z0-9][a-z0-9_-]*$'`)
export class WebhookRouteEntity {
  @UuidPrimaryColumn('webhook_routes')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('webhook_routes')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'provider' })
  provider!: string;

  @Column({ type: 'text', name: 'route_key' })
  routeKey!: string;

  @Column({ type: 'text', name: 'provider_account_id', nullable: true })
  providerAccountId!: string | null;

  /** Secret ref name (not a value). */
  @Column({ type: 'text', name: 'signing_secret_ref' })
  signingSecretRef!: string;

  /** Accepted alongside the current one until previous_secret_expires_at, during rotation. */
  @Column({ type: 'text', name: 'previous_signing_secret_ref', nullable: true })
  previousSigningSecretRef!: string | null;

  @TimestampColumn('previous_secret_expires_at', { nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'jsonb', name: 'verification' })
  verification!: WebhookVerification;

  @Column({ type: 'jsonb', name: 'target' })
  target!: WebhookTarget;

  @Column({ type: 'boolean', name: 'enabled', default: true })
  enabled!: boolean;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
