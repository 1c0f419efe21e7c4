import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from '@orch/contracts';
import { CALLBACK_STATUSES, JOB_STATUSES, type JobEntity, RUN_STATUSES, type RunEntity } from '@orch/data';
import type { EventPage, EventView } from '@orch/execution';
import { PageResponse } from '../../common/dto/page.dto';
import type { DeadLetteredJob } from '../dlq.repository';

export class JobErrorResponse {
  @ApiProperty({ example: 'UPSTREAM_ERROR' })
  code!: string;

  @ApiProperty()
  message!: string;

  @ApiPropertyOptional()
  details?: unknown;
}

/** A job as operators see it: no payload (it may hold customer data), its output and last error. */
export class JobResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty()
  connector!: string;

  @ApiProperty()
  operation!: string;

  @ApiProperty({ enum: JOB_STATUSES })
  status!: string;

  @ApiProperty({ description: 'Attempts made so far (runs), over every replay' })
  attempts!: number;

  @ApiProperty({ description: 'The job is dead-lettered once attempts reach it; a replay raises it' })
  max_attempts!: number;

  @ApiProperty({ type: JobErrorResponse, nullable: true })
  error!: JobErrorResponse | null;

  @ApiProperty({ nullable: true, description: 'Output of the successful run' })
  output!: unknown;

  @ApiProperty({ type: String, nullable: true })
  config_version!: string | null;

  @ApiProperty()
  cancel_requested!: boolean;

  @ApiProperty()
  has_callback!: boolean;

  @ApiProperty({ enum: CALLBACK_STATUSES, nullable: true })
  callback_status!: string | null;

  @ApiProperty()
  callback_attempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delay_until!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at!: string | null;
}

export class RunResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: '1, 2, …; runs after a replay continue the numbering' })
  attempt!: number;

  @ApiProperty({ enum: RUN_STATUSES })
  status!: string;

  @ApiProperty({ format: 'date-time' })
  started_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  upstream_status!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  duration_ms!: number | null;

  @ApiProperty({ type: JobErrorResponse, nullable: true })
  error!: JobErrorResponse | null;
}

export class JobDetailResponse extends JobResponse {
  @ApiProperty({ type: [RunResponse], description: 'By attempt, the first first' })
  runs!: RunResponse[];
}

export class JobPageResponse extends PageResponse<JobResponse> {
  @ApiProperty({ type: [JobResponse] })
  data!: JobResponse[];
}

export class DeadLetteredJobResponse extends JobResponse {
  @ApiProperty({ format: 'date-time', description: 'When the job entered the DLQ' })
  dead_lettered_at!: string;
}

export class DlqPageResponse extends PageResponse<DeadLetteredJobResponse> {
  @ApiProperty({ type: [DeadLetteredJobResponse] })
  data!: DeadLetteredJobResponse[];
}

export class DlqReplayResponse {
  @ApiProperty({ description: 'Jobs put back to queued' })
  replayed!: number;

  @ApiProperty({ type: [String], format: 'uuid' })
  job_ids!: string[];

  @ApiProperty({ description: 'Replayed jobs not yet on the queue (Redis unreachable): they stay queued and the sweeper enqueues them' })
  enqueue_failed!: number;
}

export class DlqPurgeResponse {
  @ApiProperty()
  purged!: number;

  @ApiProperty({ type: [String], format: 'uuid' })
  job_ids!: string[];
}

export class EventResponse {
  @ApiProperty({ example: '1042', description: 'Event id (a bigint as a string); pass as ?after= to continue' })
  id!: string;

  @ApiProperty({ enum: EVENT_TYPES })
  type!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  job_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  execution_id!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class EventListResponse {
  @ApiProperty({ type: [EventResponse] })
  data!: EventResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?after= for the next page; null on the last page' })
  next_after!: string | null;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toJobResponse(job: JobEntity): JobResponse {
  return {
    id: job.id,
    workspace_id: job.workspaceId,
    connector: job.connector,
    operation: job.operation,
    status: job.status,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    error: job.error ?? null,
    output: job.output ?? null,
    config_version: job.configVersion,
    cancel_requested: job.cancelRequested,
    has_callback: job.callbackUrl !== null,
    callback_status: job.callbackStatus,
    callback_attempts: job.callbackAttempts,
    delay_until: iso(job.delayUntil),
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
  };
}

export function toRunResponse(run: RunEntity): RunResponse {
  return {
    id: run.id,
    attempt: run.attempt,
    status: run.status,
    started_at: run.startedAt.toISOString(),
    finished_at: iso(run.finishedAt),
    upstream_status: run.upstreamStatus,
    duration_ms: run.durationMs,
    error: run.error ?? null,
  };
}

export function toJobDetailResponse(job: JobEntity, runs: RunEntity[]): JobDetailResponse {
  return { ...toJobResponse(job), runs: runs.map(toRunResponse) };
}

export function toDeadLetteredJobResponse(item: DeadLetteredJob): DeadLetteredJobResponse {
  return { ...toJobResponse(item.job), dead_lettered_at: item.deadLetteredAt.toISOString() };
}

export function toEventResponse(event: EventView): EventResponse {
  return { id: event.id, type: event.type, job_id: event.job_id, execution_id: event.execution_id, data: event.data, created_at: event.created_at };
}

export function toEventListResponse(page: EventPage): EventListResponse {
  return { data: page.data.map(toEventResponse), next_after: page.next_after };
}
