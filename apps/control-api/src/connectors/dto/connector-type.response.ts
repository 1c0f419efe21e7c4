import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type ConnectorTypeDefinition, HTTP_METHODS, WEBHOOK_VERIFICATIONS } from '@orch/connectors';

const JSON_SCHEMA = { type: 'object', additionalProperties: true, description: 'JSON Schema (draft 2020-12)' } as const;

export class ConnectorOperationHttpResponse {
  @ApiProperty({ enum: HTTP_METHODS })
  method!: string;

  @ApiProperty({ example: '/v1/payment_intents/{id}' })
  path_template!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  headers?: Record<string, string>;
}

export class ConnectorOperationResponse {
  @ApiProperty({ example: 'create_payment_intent' })
  operation_id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty(JSON_SCHEMA)
  payload_schema!: Record<string, unknown>;

  @ApiProperty(JSON_SCHEMA)
  output_schema!: Record<string, unknown>;

  @ApiPropertyOptional({ type: ConnectorOperationHttpResponse })
  http?: ConnectorOperationHttpResponse;
}

export class ConnectorTypeResponse {
  @ApiProperty({ example: 'stripe' })
  type!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ ...JSON_SCHEMA, description: 'Validates a connector config; fields marked x-secret-ref name a secret ref; ui:* are form hints' })
  config_schema!: Record<string, unknown>;

  @ApiProperty({ ...JSON_SCHEMA, description: 'The secret values behind the refs, each marked x-secret (write-only)' })
  secret_schema!: Record<string, unknown>;

  @ApiProperty({ type: [ConnectorOperationResponse], description: 'Fixed operations; empty when operations_from_config' })
  operations!: ConnectorOperationResponse[];

  @ApiProperty({ description: 'True for http: each connector declares its operations in config.operations' })
  operations_from_config!: boolean;

  @ApiPropertyOptional({ enum: WEBHOOK_VERIFICATIONS })
  webhook_verification?: string;
}

export class ConnectorTypeListResponse {
  @ApiProperty({ type: [ConnectorTypeResponse] })
  data!: ConnectorTypeResponse[];
}

export function toConnectorTypeResponse(definition: ConnectorTypeDefinition): ConnectorTypeResponse {
  return structuredClone(definition) as ConnectorTypeResponse;
}
