import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SecretRefEntity } from '@orch/data';
import type { ResolutionFailure } from '@orch/secrets';
import { PageResponse } from '../../common/dto/page.dto';

/** A secret ref: the pointer, never a value. */
export class SecretRefResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ example: 'stripe-api-key' })
  name!: string;

  @ApiProperty({ example: 'vault://stripe-api-key' })
  ref!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class SecretRefPageResponse extends PageResponse<SecretRefResponse> {
  @ApiProperty({ type: [SecretRefResponse] })
  data!: SecretRefResponse[];
}

/** What PUT …/secrets/:name answers: the version stored, never the value. */
export class SecretVersionResponse {
  @ApiProperty({ example: 'stripe-api-key' })
  name!: string;

  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class SecretCheckResponse {
  @ApiProperty()
  ok!: boolean;

  @ApiPropertyOptional({ description: 'The vault version the ref resolves to (vault refs only)' })
  version?: number;

  @ApiPropertyOptional({ enum: ['ref_not_found', 'invalid_ref', 'env_not_allowed', 'env_missing', 'no_version', 'cannot_decrypt'], description: 'Why it did not resolve (ok: false)' })
  reason?: ResolutionFailure;

  @ApiPropertyOptional({ description: 'A sentence naming what is missing; never a value' })
  message?: string;
}

export function toSecretRefResponse(ref: SecretRefEntity): SecretRefResponse {
  return {
    id: ref.id,
    workspace_id: ref.workspaceId,
    name: ref.name,
    ref: ref.ref,
    created_at: ref.createdAt.toISOString(),
    updated_at: ref.updatedAt.toISOString(),
  };
}
