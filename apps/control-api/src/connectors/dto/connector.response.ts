import { ApiProperty } from '@nestjs/swagger';
import type { ConnectorEntity } from '@orch/data';
import { PageResponse } from '../../common/dto/page.dto';

/** A connector as stored: its config holds secret ref names, never secret values. */
export class ConnectorResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ example: 'stripe-main' })
  name!: string;

  @ApiProperty({ example: 'stripe' })
  type!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { api_key_ref: 'stripe-key', base_url: 'https://api.stripe.com' } })
  config!: Record<string, unknown>;

  @ApiProperty({ example: 'default', description: 'Name of its policy' })
  policy!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '/api_key_ref': 'stripe-key' },
    description: 'Where the config names secret refs: JSON Pointer into config → secret ref name',
  })
  secret_refs!: Record<string, string>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ConnectorPageResponse extends PageResponse<ConnectorResponse> {
  @ApiProperty({ type: [ConnectorResponse] })
  data!: ConnectorResponse[];
}

export function toConnectorResponse(connector: ConnectorEntity, policyName: string): ConnectorResponse {
  return {
    id: connector.id,
    workspace_id: connector.workspaceId,
    name: connector.name,
    type: connector.type,
    config: connector.config,
    policy: policyName,
    secret_refs: { ...connector.secretRefs },
    created_at: connector.createdAt.toISOString(),
    updated_at: connector.updatedAt.toISOString(),
  };
}
