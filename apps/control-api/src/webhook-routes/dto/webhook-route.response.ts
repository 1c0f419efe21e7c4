import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WebhookRouteEntity, WebhookTarget } from '@orch/data';
import { PageResponse } from '../../common/dto/page.dto';
import { ingressPath, SIGNATURE_ENCODINGS, TARGET_KINDS, WEBHOOK_PROVIDERS } from '../webhook-route-rules';

export class WebhookVerificationResponse {
  @ApiProperty({ enum: WEBHOOK_PROVIDERS })
  scheme!: string;

  @ApiPropertyOptional({ description: 'hmac-sha256' })
  header_name?: string;

  @ApiPropertyOptional({ enum: SIGNATURE_ENCODINGS, description: 'hmac-sha256' })
  encoding?: string;

  @ApiPropertyOptional({ description: 'hmac-sha256' })
  event_id_path?: string;

  @ApiPropertyOptional({ description: 'hmac-sha256' })
  prefix?: string;

  @ApiPropertyOptional({ description: 'stripe and standard-webhooks: allowed clock skew of the signed timestamp' })
  tolerance_seconds?: number;
}

export class WebhookTargetResponse {
  @ApiProperty({ enum: TARGET_KINDS })
  kind!: string;

  @ApiPropertyOptional()
  url?: string;

  @ApiPropertyOptional()
  connector?: string;

  @ApiPropertyOptional()
  operation?: string;
}

/** A webhook route: secret ref names only, never a secret value. */
export class WebhookRouteResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ enum: WEBHOOK_PROVIDERS })
  provider!: string;

  @ApiProperty({ description: 'Generated, 256 bits base64url' })
  route_key!: string;

  @ApiProperty({ example: '/v1/webhooks/stripe/3q2-…', description: 'Path on webhook-ingress to give the provider' })
  ingress_path!: string;

  @ApiProperty({ type: String, nullable: true })
  provider_account_id!: string | null;

  @ApiProperty({ description: 'Secret ref name' })
  signing_secret_ref!: string;

  @ApiProperty({ type: String, nullable: true, description: 'Secret ref still accepted during a rotation' })
  previous_signing_secret_ref!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  previous_secret_expires_at!: string | null;

  @ApiProperty({ type: WebhookVerificationResponse })
  verification!: WebhookVerificationResponse;

  @ApiProperty({ type: WebhookTargetResponse })
  target!: WebhookTargetResponse;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class WebhookRoutePageResponse extends PageResponse<WebhookRouteResponse> {
  @ApiProperty({ type: [WebhookRouteResponse] })
  data!: WebhookRouteResponse[];
}

function toTargetResponse(target: WebhookTarget): WebhookTargetResponse {
  switch (target.kind) {
    case 'forward':
      return { kind: 'forward', url: target.url };
    case 'connector':
      return { kind: 'connector', connector: target.connector, operation: target.operation };
    case 'store':
      return { kind: 'store' };
  }
}

export function toWebhookRouteResponse(route: WebhookRouteEntity): WebhookRouteResponse {
  const v = route.verification;
  const verification: WebhookVerificationResponse =
    v.scheme === 'hmac-sha256'
      ? { scheme: v.scheme, header_name: v.header, encoding: v.encoding, event_id_path: v.event_id_path, ...(v.prefix !== undefined ? { prefix: v.prefix } : {}) }
      : { scheme: v.scheme, ...(v.tolerance_seconds !== undefined ? { tolerance_seconds: v.tolerance_seconds } : {}) };
  return {
    id: route.id,
    workspace_id: route.workspaceId,
    provider: route.provider,
    route_key: route.routeKey,
    ingress_path: ingressPath(route.provider, route.routeKey),
    provider_account_id: route.providerAccountId,
    signing_secret_ref: route.signingSecretRef,
    previous_signing_secret_ref: route.previousSigningSecretRef,
    previous_secret_expires_at: route.previousSecretExpiresAt?.toISOString() ?? null,
    verification,
    target: toTargetResponse(route.target),
    enabled: route.enabled,
    created_at: route.createdAt.toISOString(),
    updated_at: route.updatedAt.toISOString(),
  };
}
