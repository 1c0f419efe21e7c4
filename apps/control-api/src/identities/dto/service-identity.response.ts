import { ApiProperty } from '@nestjs/swagger';
import { TOKEN_AUDIENCES, type ServiceIdentityEntity, type TokenAudience } from '@orch/data';
import { PageResponse } from '../../common/dto/page.dto';

/** A service identity as reads show it: never its secret, nor a hash of it. */
export class ServiceIdentityResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ example: 'svc:billing-backend' })
  name!: string;

  @ApiProperty({ example: 'ci_3f1c…' })
  client_id!: string;

  @ApiProperty({ enum: TOKEN_AUDIENCES })
  audience!: TokenAudience;

  @ApiProperty({ type: [String] })
  scopes!: string[];

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revoked_at!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Until when the secret replaced by the last rotation still works' })
  previous_secret_expires_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

/** Create and rotate-secret: the only responses that ever carry the secret. */
export class ServiceIdentityWithSecretResponse extends ServiceIdentityResponse {
  @ApiProperty({ description: 'Shown once: store it now; it cannot be read again', example: 'cs_…' })
  client_secret!: string;
}

export class ServiceIdentityPageResponse extends PageResponse<ServiceIdentityResponse> {
  @ApiProperty({ type: [ServiceIdentityResponse] })
  data!: ServiceIdentityResponse[];
}

export function toServiceIdentityResponse(identity: ServiceIdentityEntity): ServiceIdentityResponse {
  return {
    id: identity.id,
    workspace_id: identity.workspaceId,
    name: identity.name,
    client_id: identity.clientId,
    audience: identity.audience,
    scopes: [...identity.scopes],
    revoked_at: identity.revokedAt?.toISOString() ?? null,
    previous_secret_expires_at: identity.previousSecretExpiresAt?.toISOString() ?? null,
    created_at: identity.createdAt.toISOString(),
    updated_at: identity.updatedAt.toISOString(),
  };
}

export function toServiceIdentityWithSecretResponse(identity: ServiceIdentityEntity, clientSecret: string): ServiceIdentityWithSecretResponse {
  return { ...toServiceIdentityResponse(identity), client_secret: clientSecret };
}
