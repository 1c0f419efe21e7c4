import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { EVENT_TYPES } from '@orch/contracts';
import { EVENT_PAGE_DEFAULT, EVENT_PAGE_MAX, type EventFilters, type EventPage, type EventView, isEventCursor, parseEventTypeFilter } from '@orch/execution';

function IsEventTypeFilter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isEventTypeFilter', validator: { validate: (value: unknown) => typeof value === 'string' && 'types' in parseEventTypeFilter(value), defaultMessage: () => 'must be event types or family wildcards (job.*), comma-separated' } },
    options,
  );
}

function IsEventCursor(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isEventCursor', validator: { validate: isEventCursor, defaultMessage: () => 'must be an event id (digits only)' } }, options);
}

/** Filters of GET /v1/events and GET /v1/events/stream. */
export class EventFiltersQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the events of this job' })
  @IsOptional()
  @IsUUID('all')
  job_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the events of this execution' })
  @IsOptional()
  @IsUUID('all')
  execution_id?: string;

  @ApiPropertyOptional({
    example: 'job.*,run.failed',
    description: `Comma-separated event types and family wildcards (job.*, run.*, callback.*, execution.*, breaker.*). Types: ${EVENT_TYPES.join(', ')}`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @IsEventTypeFilter()
  type?: string;

  @ApiPropertyOptional({ example: '1042', description: 'Exclusive event-id cursor: only events with a greater id' })
  @IsOptional()
  @IsString()
  @IsEventCursor()
  after?: string;
}

export class ListEventsQueryDto extends EventFiltersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: EVENT_PAGE_MAX, default: EVENT_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENT_PAGE_MAX)
  limit?: number;
}

export class StreamEventsQueryDto extends EventFiltersQueryDto {}

/** The query's filters as the event query takes them (the DTO is valid, so the type filter parses). */
export function toEventFilters(query: EventFiltersQueryDto): EventFilters {
  const parsed = query.type === undefined ? undefined : parseEventTypeFilter(query.type);
  return {
    ...(query.job_id === undefined ? {} : { jobId: query.job_id }),
    ...(query.execution_id === undefined ? {} : { executionId: query.execution_id }),
    ...(parsed && 'types' in parsed ? { types: parsed.types } : {}),
  };
}

export class EventResponseDto {
  @ApiProperty({ example: '1043', description: 'event_log id (a bigint as a string); the SSE id' })
  id!: string;

  @ApiProperty({ enum: EVENT_TYPES })
  type!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  job_id!: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  execution_id!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class EventPageResponseDto {
  @ApiProperty({ type: [EventResponseDto] })
  data!: EventResponseDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` for the next page; null on the last page' })
  next_after!: string | null;
}

export function toEventResponse(event: EventView): EventResponseDto {
  return { id: event.id, type: event.type, job_id: event.job_id, execution_id: event.execution_id, data: event.data, created_at: event.created_at };
}

export function toEventPageResponse(page: EventPage): EventPageResponseDto {
  return { data: page.data.map(toEventResponse), next_after: page.next_after };
}
