import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class ExecuteRequestDto {
  @ApiProperty({ example: 'payments-api', description: 'Connector name in the token’s workspace' })
  @IsString()
  @MaxLength(128)
  connector!: string;

  @ApiProperty({ example: 'create_charge', description: 'operation_id of one of the connector’s operations' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'must be an operation_id ([a-z][a-z0-9_]*)' })
  operation!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Validated against the operation’s payload_schema' })
  @IsObject()
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, maximum: 300_000, description: 'Total budget in ms; may only shorten the policy’s timeout.total_ms' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(300_000)
  timeout_ms?: number;
}

class UpstreamDto {
  @ApiProperty({ example: 200 })
  status!: number;

  @ApiProperty({ example: 42, description: 'Duration of the last attempt' })
  duration_ms!: number;
}

export class ExecuteResponseDto {
  @ApiProperty({ format: 'uuid' })
  execution_id!: string;

  @ApiProperty({ enum: ['succeeded'] })
  status!: 'succeeded';

  @ApiProperty({ description: 'The upstream’s answer (JSON, or { body } for other content)' })
  output!: unknown;

  @ApiProperty({ example: 1 })
  attempts!: number;

  @ApiProperty({ type: UpstreamDto })
  upstream!: UpstreamDto;
}
