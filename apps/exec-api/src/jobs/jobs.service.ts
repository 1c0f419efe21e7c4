import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { assertUrlAllowed, EgressBlockedError, EgressPolicy } from '@orch/connectors';
import { DomainError } from '@orch/contracts';
import type { JobEntity, TraceContext } from '@orch/data';
import { ExecutionService, IdempotencyService, JobQueue, RecordWriter } from '@orch/execution';
import { APP_CONFIG, traceIdFromTraceparent } from '@orch/platform';
import type { ExecApiConfig } from '../config';
import { handleIdempotently, type HttpAnswer } from '../idempotency/idempotent-request';
import { type CreateJobRequestDto, DEFAULT_JOBS_PAGE_SIZE, type ListJobsQueryDto } from './dto/job.requests';
import { type JobDetailResponseDto, type JobPageResponseDto, toJobDetailResponse, toJobResponse } from './dto/job.responses';
import { JobsRepository } from './jobs.repository';

const ENDPOINT = 'POST /v1/jobs';
/** The POST answers within about this long even when Redis does not: the row is the record, the queue entry can follow. */
export const ENQUEUE_TIMEOUT_MS = 1500;
/** Retry-After of a full queue: jobs drain at the upstream's pace, so there is no exact time to give. */
const QUEUE_FULL_RETRY_AFTER_S = 5;
const MAX_TRACESTATE_LENGTH = 512;

export interface CreateJobCall {
  workspaceId: string;
  body: CreateJobRequestDto;
  idempotencyKey: string | string[] | undefined;
  traceparent: string | string[] | undefined;
  tracestate: string | string[] | undefined;
}

export interface CancelAnswer {
  /** 200: the queued job is cancelled; 202: the running job is asked to stop. */
  status: 200 | 202;
  job: JobDetailResponseDto;
}

/**
 * `/v1/jobs`: submission (validation as /v1/execute, Idempotency-Key, the workspace queue-depth
 * quota, the row first and then the queue entry), reads and cancellation. The job row is the
 * source of truth; BullMQ only delivers it to a worker (DESIGN §6).
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);
  private readonly egress: EgressPolicy;

  constructor(
    private readonly executions: ExecutionService,
    private readonly idempotency: IdempotencyService,
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly records: RecordWriter,
    @Inject(APP_CONFIG) config: ExecApiConfig,
  ) {
    this.egress = new EgressPolicy(config.EGRESS_ALLOW_CIDRS ?? '');
  }

  async create(call: CreateJobCall): Promise<HttpAnswer> {
    return handleIdempotently(this.idempotency, { workspaceId: call.workspaceId, endpoint: ENDPOINT, rawKey: call.idempotencyKey, body: call.body }, async (key) => {
      const job = await this.submit(call, key);
      return { answer: { status: 202, headers: {}, body: JSON.stringify(toJobDetailResponse(job, [])) }, store: true };
    });
  }

  async get(workspaceId: string, id: string): Promise<JobDetailResponseDto> {
    const job = await this.find(workspaceId, id);
    return toJobDetailResponse(job, await this.jobs.runsOf(workspaceId, job.id));
  }

  async list(workspaceId: string, query: ListJobsQueryDto): Promise<JobPageResponseDto> {
    const page = await this.jobs.list(
      workspaceId,
      {
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.connector === undefined ? {} : { connector: query.connector }),
        ...(query.created_after === undefined ? {} : { createdAfter: new Date(query.created_after) }),
        ...(query.created_before === undefined ? {} : { createdBefore: new Date(query.created_before) }),
      },
      { limit: query.limit ?? DEFAULT_JOBS_PAGE_SIZE, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) },
    );
    return { data: page.items.map(toJobResponse), next_cursor: page.nextCursor };
  }

  /**
   * queued → cancelled (conditional UPDATE, so a worker taking the job at the same moment either
   * finds it cancelled or has already moved it to running); running → cancel_requested, which
   * the worker honours at its next safe point; terminal → 409.
   */
  async cancel(workspaceId: string, id: string): Promise<CancelAnswer> {
    if (!isUUID(id)) throw notFound();
    // A job can move between our statements (queued → running, or back to queued for a retry): decide again.
    for (let round = 0; round < 3; round++) {
      if (await this.jobs.cancelQueued(workspaceId, id, new Date())) {
        this.records.event({ workspaceId, type: 'job.cancelled', jobId: id, data: { previous_status: 'queued' } });
        await this.dequeue(id);
        return { status: 200, job: await this.get(workspaceId, id) };
      }
      if (await this.jobs.requestCancel(workspaceId, id)) {
        this.records.event({ workspaceId, type: 'job.cancel_requested', jobId: id, data: {} });
        return { status: 202, job: await this.get(workspaceId, id) };
      }
      const job = await this.jobs.findOne(workspaceId, { id });
      if (job === null) throw notFound();
      // Flagged already: asking again changes nothing and answers the same.
      if (job.status === 'running') return { status: 202, job: toJobDetailResponse(job, await this.jobs.runsOf(workspaceId, id)) };
      if (job.status !== 'queued') throw new DomainError('CONFLICT', `job is already ${job.status}`, { details: { status: job.status } });
    }
    throw new DomainError('CONFLICT', 'job changed state during the cancel; retry');
  }

  private async submit(call: CreateJobCall, idempotencyKey: string | undefined): Promise<JobEntity> {
    const { workspaceId, body } = call;
    if (body.callback_url !== undefined) this.checkCallbackUrl(body.callback_url);
    // Same validation as /v1/execute: 404 unknown connector or operation, 400 payload at /payload/….
    const prepared = await this.executions.prepare({ workspaceId, connector: body.connector, operation: body.operation, payload: body.payload });
    const { quotas, policy, connector } = prepared.resolved;
    const traceContext = traceContextOf(call.traceparent, call.tracestate);
    const created = await this.jobs.createQueued(
      workspaceId,
      {
        connectorId: connector.id,
        connector: connector.name,
        operation: prepared.operation.operation_id,
        payload: prepared.payload,
        status: 'queued',
        maxAttempts: body.max_attempts ?? policy.retry.max_attempts,
        callbackUrl: body.callback_url ?? null,
        delayUntil: body.delay_ms ? new Date(Date.now() + body.delay_ms) : null,
        traceContext,
        idempotencyKey: idempotencyKey ?? null,
      },
      quotas.queue_depth,
      (job) => ({
        workspaceId,
        type: 'job.queued',
        jobId: job.id,
        data: { connector: job.connector, operation: job.operation, max_attempts: job.maxAttempts, run_at: (job.delayUntil ?? job.createdAt).toISOString() },
      }),
    );
    if (created.kind === 'queue_full') {
      this.records.event({ workspaceId, type: 'quota_exceeded', data: { quota: 'queue_depth', limit: quotas.queue_depth } });
      throw new DomainError('QUOTA_EXCEEDED', `workspace quota of ${quotas.queue_depth} queued or running jobs reached`, {
        details: { quota: 'queue_depth', limit: quotas.queue_depth },
        headers: { 'retry-after': String(QUEUE_FULL_RETRY_AFTER_S) },
      });
    }
    const { job, event } = created;
    this.records.announce([event]);
    await this.enqueue(job);
    return job;
  }

  /** Literal addresses the egress guard refuses are a 400 now; DNS names are resolved and checked at delivery. */
  private checkCallbackUrl(url: string): void {
    try {
      assertUrlAllowed(url, this.egress);
    } catch (error) {
      if (!(error instanceof EgressBlockedError)) throw error;
      throw new DomainError('VALIDATION_FAILED', 'callback_url is not allowed', { details: [{ path: '/callback_url', message: `is not allowed (${error.reason})` }] });
    }
  }

  /**
   * Puts the row on the queue, bounded: with Redis away the job stays `queued` in Postgres and
   * the worker's sweeper enqueues it later, so the client still gets its 202 (documented in
   * docs/02_api_contracts.md). A late success after the timeout is harmless: the id is the key.
   */
  private async enqueue(job: JobEntity): Promise<void> {
    const added = this.queue
      .enqueue({ id: job.id, workspaceId: job.workspaceId, runAt: job.delayUntil, traceContext: job.traceContext })
      .then(
        () => true,
        (error: unknown) => {
          this.logger.warn(`job ${job.id} stays queued for the sweeper: enqueue failed (${messageOf(error)})`);
          return false;
        },
      );
    const done = await within(added, ENQUEUE_TIMEOUT_MS);
    if (done === undefined) this.logger.warn(`job ${job.id} stays queued for the sweeper: enqueue took over ${ENQUEUE_TIMEOUT_MS} ms`);
  }

  /** Best effort: the worker skips a cancelled row anyway, the entry only saves it the lookup. */
  private async dequeue(id: string): Promise<void> {
    const removed = this.queue.jobs.remove(id).then(
      () => true,
      (error: unknown) => {
        this.logger.warn(`cancelled job ${id}: queue entry not removed (${messageOf(error)})`);
        return false;
      },
    );
    await within(removed, ENQUEUE_TIMEOUT_MS);
  }

  private async find(workspaceId: string, id: string): Promise<JobEntity> {
    // A malformed id cannot name a job: 404 like any unknown one, without asking Postgres.
    if (!isUUID(id)) throw notFound();
    const job = await this.jobs.findOne(workspaceId, { id });
    if (job === null) throw notFound();
    return job;
  }
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'job not found');
}

/** The incoming W3C trace context, kept for the worker's spans; a malformed traceparent is ignored. */
function traceContextOf(traceparent: string | string[] | undefined, tracestate: string | string[] | undefined): TraceContext | null {
  const parent = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  if (parent === undefined || traceIdFromTraceparent(parent) === undefined) return null;
  const state = Array.isArray(tracestate) ? tracestate.join(',') : tracestate;
  return { traceparent: parent.trim().toLowerCase(), ...(state && state.length <= MAX_TRACESTATE_LENGTH ? { tracestate: state } : {}) };
}

/** The promise's value, or undefined when it has not settled within `ms`. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
