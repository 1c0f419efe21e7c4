import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { CONFIG_VERSION_PATTERN } from '../../configs/config-version';
import { DEFAULT_DLQ_BATCH, MAX_DLQ_BATCH } from '../dlq-selection';

/** Which dead-lettered jobs a replay or purge takes (AND); `{}` takes any. */
export class DlqFilterDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  connector?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  operation?: string;

  @ApiPropertyOptional({ example: 'UPSTREAM_ERROR' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  error_code?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Dead-lettered at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  after?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Dead-lettered before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  before?: string;
}

/** Body of DELETE …/dlq: exactly one of job_id and filter. */
export class DlqPurgeDto extends ReasonDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One job (404 if unknown in this workspace, 409 if not dead_lettered)' })
  @IsOptional()
  @IsUUID('all')
  job_id?: string;

  @ApiPropertyOptional({ type: DlqFilterDto, description: 'Jobs by filter, oldest dead-lettered first; jobs not dead_lettered are never taken' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DlqFilterDto)
  filter?: DlqFilterDto;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_DLQ_BATCH, default: DEFAULT_DLQ_BATCH, description: 'With filter only: at most this many jobs' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DLQ_BATCH)
  limit?: number;
}

/** Body of POST …/dlq/replay. */
export class DlqReplayDto extends DlqPurgeDto {
  @ApiPropertyOptional({ example: 'v7', description: 'Pin the replayed jobs to this config version (it must exist in the workspace); default: keep what each job had' })
  @IsOptional()
  @IsString()
  @Matches(CONFIG_VERSION_PATTERN, { message: 'must be a config version (letters, digits, ".", "_", "-")' })
  config_version?: string;
}
