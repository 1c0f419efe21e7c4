import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { CONFIG_NAME_PATTERN, CONFIG_VERSION_PATTERN, MAX_CONFIG_DATA_BYTES } from '../config-version';

export class CreateConfigDto extends ReasonDto {
  @ApiProperty({ example: 'default', pattern: CONFIG_NAME_PATTERN.source })
  @IsString()
  @Matches(CONFIG_NAME_PATTERN, { message: 'must be lowercase letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit' })
  name!: string;

  @ApiPropertyOptional({ example: 'v3', pattern: CONFIG_VERSION_PATTERN.source, description: 'Default: v<N+1> after the highest v<N> of this name' })
  @IsOptional()
  @IsString()
  @Matches(CONFIG_VERSION_PATTERN, { message: 'must be letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit' })
  version?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: `Any JSON object, at most ${MAX_CONFIG_DATA_BYTES} bytes as canonical JSON` })
  @IsObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ default: false, description: 'Also make this version the active one, in the same transaction' })
  @IsOptional()
  @IsBoolean()
  activate?: boolean;
}
