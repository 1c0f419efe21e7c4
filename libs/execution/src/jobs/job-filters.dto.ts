import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '@orch/data';

/**
 * The filters of a job list (combined with AND), one class for exec-api's `GET /v1/jobs` and
 * control-api's `GET …/jobs`, so both read them the same way (time bounds inclusive).
 */
export class JobFiltersDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ description: 'Connector name the job was submitted with' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  connector?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Jobs created at or after this time (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  created_after?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Jobs created at or before this time (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  created_before?: string;
}
