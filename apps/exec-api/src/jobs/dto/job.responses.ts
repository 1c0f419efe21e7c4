import { ApiProperty } from '@nestjs/swagger';
import { CALLBACK_STATUSES, type CallbackStatus, JOB_STATUSES, type JobEntity, type JobStatus, RUN_STATUSES, type RunEntity, type RunStatus } from '@orch/data';
import { toJobView } from '@orch/execution';

export class JobErrorDto {
  @ApiProperty({ example: 'UPSTREAM_ERROR' })
  code!: string;

  @ApiProperty()
  message!: string;

  @ApiProperty({ required: false })
  details?: unknown;
}

export class JobCallbackDto {
  @ApiProperty({ example: 'https://product.example.com/hooks/orchestrator' })
  url!: string;

  @ApiProperty({ enum: CALLBACK_STATUSES, nullable: true, description: 'null until the job reaches a terminal state' })
  status!: CallbackStatus | null;

  @ApiProperty({ example: 0, description: 'Delivery attempts so far' })
  attempts!: number;
}

export class JobRunDto {
  @ApiProperty({ example: 1 })
  attempt!: number;

  @ApiProperty({ enum: RUN_STATUSES })
  status!: RunStatus;

  @ApiProperty({ format: 'date-time' })
  started_at!: string;

  @ApiProperty({ format: 'date-time', nullable: true })
  finished_at!: string | null;

  @ApiProperty({ nullable: true, example: 42 })
  duration_ms!: number | null;

  @ApiProperty({ nullable: true, example: 200 })
  upstream_status!: number | null;

  @ApiProperty({ type: JobErrorDto, nullable: true })
  error!: JobErrorDto | null;
}

/** A job as every jobs endpoint shows it (the list leaves out `runs`). */
export class JobResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: JOB_STATUSES })
  status!: JobStatus;

  @ApiProperty({ example: 'payments-api' })
  connector!: string;

  @ApiProperty({ example: 'create_charge' })
  operation!: string;

  @ApiProperty({ example: 0, description: 'Runs started so far' })
  attempts!: number;

  @ApiProperty({ example: 3 })
  max_attempts!: number;

  @ApiProperty({ description: 'A cancel was asked while the job was running; the worker stops at the next safe point' })
  cancel_requested!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The config version a DLQ replay pinned the job to (null otherwise); carried for the product, not read by the execution plane' })
  config_version!: string | null;

  @ApiProperty({ nullable: true })
  callback_url!: string | null;

  @ApiProperty({ type: JobCallbackDto, nullable: true, description: 'null without callback_url' })
  callback!: JobCallbackDto | null;

  @ApiProperty({ format: 'date-time', description: 'Not run before this time (created_at + delay_ms)' })
  run_at!: string;

  @ApiProperty({ nullable: true, description: 'The upstream’s answer once succeeded' })
  output!: unknown;

  @ApiProperty({ type: JobErrorDto, nullable: true, description: 'The last failure once failed, dead-lettered or cancelled' })
  error!: JobErrorDto | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ format: 'date-time', nullable: true })
  started_at!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true })
  finished_at!: string | null;
}

/** POST /v1/jobs, GET /v1/jobs/:id and the cancel answer: the job with its runs, oldest attempt first. */
export class JobDetailResponseDto extends JobResponseDto {
  @ApiProperty({ type: [JobRunDto] })
  runs!: JobRunDto[];
}

export class JobPageResponseDto {
  @ApiProperty({ type: [JobResponseDto] })
  data!: JobResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  next_cursor!: string | null;
}

/** The shared job view of @orch/execution (the worker's callbacks send the same shape). */
export function toJobResponse(job: JobEntity): JobResponseDto {
  return toJobView(job);
}

export function toJobDetailResponse(job: JobEntity, runs: readonly RunEntity[]): JobDetailResponseDto {
  return { ...toJobResponse(job), runs: runs.map(toRunResponse) };
}

function toRunResponse(run: RunEntity): JobRunDto {
  return {
    attempt: run.attempt,
    status: run.status,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    duration_ms: run.durationMs,
    upstream_status: run.upstreamStatus,
    error: run.error ?? null,
  };
}
