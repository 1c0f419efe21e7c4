import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateBy, type ValidationOptions } from 'class-validator';
import { EVENT_TYPES } from '@orch/contracts';
import { EVENT_PAGE_DEFAULT, EVENT_PAGE_MAX, type EventQuery, isEventCursor, JobFiltersDto, parseEventTypeFilter } from '@orch/execution';
import { PageQueryDto } from '../../common/dto/page.dto';

const NAME = { min: 1, max: 128 };

/** Filters of GET …/jobs (the shared job filters, AND) plus the page. */
export class JobsQueryDto extends IntersectionType(PageQueryDto, JobFiltersDto) {}

/** Filters of GET …/dlq (AND) plus the page. */
export class DlqQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(NAME.min)
  @MaxLength(NAME.max)
  connector?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(NAME.min)
  @MaxLength(NAME.max)
  operation?: string;

  @ApiPropertyOptional({ example: 'UPSTREAM_ERROR', description: 'error.code of the job' })
  @IsOptional()
  @IsString()
  @MinLength(NAME.min)
  @MaxLength(NAME.max)
  error_code?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Dead-lettered at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  dead_lettered_after?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Dead-lettered before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  dead_lettered_before?: string;
}

function IsEventTypeFilter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isEventTypeFilter', validator: { validate: (value: unknown) => typeof value === 'string' && 'types' in parseEventTypeFilter(value), defaultMessage: () => 'must be event types or family wildcards (job.*), comma-separated' } },
    options,
  );
}

function IsEventCursor(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isEventCursor', validator: { validate: isEventCursor, defaultMessage: () => 'must be an event id (digits only)' } }, options);
}

/** GET …/events: the filters of exec-api's GET /v1/events, oldest first after `after`. */
export class EventsQueryDto {
  @ApiPropertyOptional({ example: 'job.*,run.failed', description: `Comma-separated event types and family wildcards (job.*, run.*, callback.*, execution.*, breaker.*). Types: ${EVENT_TYPES.join(', ')}` })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @IsEventTypeFilter()
  type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  job_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  execution_id?: string;

  @ApiPropertyOptional({ example: '1042', description: 'Exclusive event-id cursor (next_after of the previous page)' })
  @IsOptional()
  @IsString()
  @IsEventCursor()
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: EVENT_PAGE_MAX, default: EVENT_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENT_PAGE_MAX)
  limit?: number;
}

/** The query as listEvents takes it (the DTO is valid, so the type filter parses). */
export function toEventQuery(query: EventsQueryDto): EventQuery {
  const parsed = query.type === undefined ? undefined : parseEventTypeFilter(query.type);
  return {
    ...(query.job_id === undefined ? {} : { jobId: query.job_id }),
    ...(query.execution_id === undefined ? {} : { executionId: query.execution_id }),
    ...(parsed && 'types' in parsed ? { types: parsed.types } : {}),
    ...(query.after === undefined ? {} : { after: query.after }),
    limit: query.limit ?? EVENT_PAGE_DEFAULT,
  };
}
