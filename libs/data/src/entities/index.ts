import { ConfigActivationEntity } from './config-activation.entity';
import { ConfigPointerEntity } from './config-pointer.entity';
import { ConfigEntity } from './config.entity';
import { ConnectorEntity } from './connector.entity';
import { EventLogEntity } from './event-log.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { ImpersonationSessionEntity } from './impersonation-session.entity';
import { JobEntity } from './job.entity';
import { OperatorAuditLogEntity } from './operator-audit-log.entity';
import { OperatorEntity } from './operator.entity';
import { PolicyEntity } from './policy.entity';
import { RequestLogEntity } from './request-log.entity';
import { RunEntity } from './run.entity';
import { SecretRefEntity } from './secret-ref.entity';
import { SecretValueEntity } from './secret-value.entity';
import { ServiceIdentityEntity } from './service-identity.entity';
import { WebhookInboxEntity } from './webhook-inbox.entity';
import { WebhookRouteEntity } from './webhook-route.entity';
import { WorkspaceEntity } from './workspace.entity';

export * from './config-activation.entity';
export * from './config-pointer.entity';
export * from './config.entity';
export * from './connector.entity';
export * from './event-log.entity';
export * from './idempotency-key.entity';
export * from './impersonation-session.entity';
export * from './job.entity';
export * from './operator-audit-log.entity';
export * from './operator.entity';
export * from './policy.entity';
export * from './request-log.entity';
export * from './run.entity';
export * from './secret-ref.entity';
export * from './secret-value.entity';
export * from './service-identity.entity';
export * from './webhook-inbox.entity';
export * from './webhook-route.entity';
export * from './workspace.entity';

/** Every entity, in dependency order (referenced tables first). */
export const DATA_ENTITIES = [
  WorkspaceEntity,
  OperatorEntity,
  ServiceIdentityEntity,
  PolicyEntity,
  SecretRefEntity,
  SecretValueEntity,
  ConnectorEntity,
  ConfigEntity,
  ConfigPointerEntity,
  ConfigActivationEntity,
  WebhookRouteEntity,
  WebhookInboxEntity,
  JobEntity,
  RunEntity,
  IdempotencyKeyEntity,
  EventLogEntity,
  RequestLogEntity,
  OperatorAuditLogEntity,
  ImpersonationSessionEntity,
] as const;
