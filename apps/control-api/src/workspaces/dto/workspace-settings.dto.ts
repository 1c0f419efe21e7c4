import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';

/** Upper bounds that catch typos (an extra zero or three) rather than encode a business limit. */
export const SETTINGS_LIMITS = {
  rps: 100_000,
  concurrency: 10_000,
  queue_depth: 10_000_000,
  retention_days: 3_650,
} as const;

export class WorkspaceQuotasPatchDto {
  @ApiPropertyOptional({ minimum: 1, maximum: SETTINGS_LIMITS.rps, description: 'Requests per second accepted by exec-api' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SETTINGS_LIMITS.rps)
  rps?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: SETTINGS_LIMITS.concurrency, description: 'Executions running at once' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SETTINGS_LIMITS.concurrency)
  concurrency?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: SETTINGS_LIMITS.queue_depth, description: 'Jobs queued and not yet finished' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SETTINGS_LIMITS.queue_depth)
  queue_depth?: number;
}

/** A partial settings object: what is given replaces the current value, the rest is kept. */
export class WorkspaceSettingsPatchDto {
  @ApiPropertyOptional({ type: WorkspaceQuotasPatchDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkspaceQuotasPatchDto)
  quotas?: WorkspaceQuotasPatchDto;

  @ApiPropertyOptional({ minimum: 1, maximum: SETTINGS_LIMITS.retention_days })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SETTINGS_LIMITS.retention_days)
  retention_days?: number;
}

export class WorkspaceQuotasResponse {
  @ApiProperty()
  rps!: number;

  @ApiProperty()
  concurrency!: number;

  @ApiProperty()
  queue_depth!: number;
}

export class WorkspaceSettingsResponse {
  @ApiProperty({ type: WorkspaceQuotasResponse })
  quotas!: WorkspaceQuotasResponse;

  @ApiProperty()
  retention_days!: number;
}
