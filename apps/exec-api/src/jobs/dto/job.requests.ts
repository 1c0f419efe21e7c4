import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { JobFiltersDto } from '@orch/execution';

/** delay_ms may postpone a job by at most 7 days. */
export const MAX_DELAY_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_JOB_ATTEMPTS = 20;
export const MAX_CALLBACK_URL_LENGTH = 2048;
export const DEFAULT_JOBS_PAGE_SIZE = 20;
export const MAX_JOBS_PAGE_SIZE = 100;

/** Body of POST /v1/jobs. */
export class CreateJobRequestDto {
  @ApiProperty({ example: 'payments-api', description: 'Connector name in the token’s workspace' })
  @IsString()
  @MaxLength(128)
  connector!: string;

  @ApiProperty({ example: 'create_charge', description: 'operation_id of one of the connector’s operations' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'must be an operation_id ([a-z][a-z0-9_]*)' })
  operation!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Validated against the operation’s payload_schema at submission' })
  @IsObject()
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'https://product.example.com/hooks/orchestrator',
    maxLength: MAX_CALLBACK_URL_LENGTH,
    description: 'Absolute http(s) URL that receives the signed terminal state. Literal addresses refused by the egress guard are a 400; DNS names are checked again at delivery.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CALLBACK_URL_LENGTH)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true, allow_underscores: true }, { message: 'must be an absolute http(s) URL' })
  callback_url?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_DELAY_MS, description: 'Run no earlier than this many ms after submission' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  delay_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_JOB_ATTEMPTS, description: 'Runs before the job is dead-lettered; default the connector policy’s retry.max_attempts' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_JOB_ATTEMPTS)
  max_attempts?: number;
}

/** Query of GET /v1/jobs: the shared job filters (AND) and the page. */
export class ListJobsQueryDto extends JobFiltersDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_JOBS_PAGE_SIZE, default: DEFAULT_JOBS_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_JOBS_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
