import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';

/** Lowercase letters, digits, `-` and `_`, starting with a letter or digit; at most 63 characters. */
export const CONNECTOR_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export class CreateConnectorDto extends ReasonDto {
  @ApiProperty({ example: 'stripe-main', pattern: CONNECTOR_NAME_PATTERN.source })
  @IsString()
  @Matches(CONNECTOR_NAME_PATTERN, { message: 'must be 1-63 lowercase letters, digits, - or _' })
  name!: string;

  @ApiProperty({ example: 'stripe', description: 'A type of GET …/connector-types' })
  @IsString()
  @MaxLength(64)
  type!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { api_key_ref: 'stripe-key' },
    description: "Validated against the type's config_schema; secrets appear only as secret ref names (fields secret_ref / *_ref)",
  })
  @IsObject()
  config!: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'default', description: 'Name of a policy of the workspace; default `default`' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  policy?: string;
}
