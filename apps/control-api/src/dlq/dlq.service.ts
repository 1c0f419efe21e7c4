import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AuditService, type MutationContext, type Principal } from '@orch/auth';
import { DomainError, type FieldError } from '@orch/contracts';
import type { Page } from '@orch/data';
import { announceEvents, JobQueue, type WrittenEvent } from '@orch/execution';
import { REDIS_CLIENT } from '@orch/platform';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { type DlqFilter, type DlqSelection, type DlqSelectionInput, toDlqSelection } from './dlq-selection';
import { type DeadLetteredJob, DlqRepository, type PageRequest, type WrittenEventRow } from './dlq.repository';

export interface ReplayOutcome {
  replayed: number;
  job_ids: string[];
  enqueue_failed: number;
}

export interface PurgeOutcome {
  purged: number;
  job_ids: string[];
}

function invalid(details: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Request validation failed', { details });
}

/** What an audit row records of the selection (the filter as given, dates as ISO). */
function describeSelection(selection: DlqSelection): Record<string, unknown> {
  if (selection.kind === 'one') return { job_id: selection.jobId };
  const { filter, limit } = selection;
  return {
    filter: {
      ...(filter.connector !== undefined ? { connector: filter.connector } : {}),
      ...(filter.operation !== undefined ? { operation: filter.operation } : {}),
      ...(filter.errorCode !== undefined ? { error_code: filter.errorCode } : {}),
      ...(filter.after ? { after: filter.after.toISOString() } : {}),
      ...(filter.before ? { before: filter.before.toISOString() } : {}),
    },
    limit,
  };
}

/**
 * The DLQ of a workspace: list, replay (back to queued, history kept) and purge. Mutations are
 * one transaction each: the job rows, their events and one audit row commit together; queue
 * entries and the Redis fan-out of the events follow the commit.
 */
@Injectable()
export class DlqService {
  private readonly logger = new Logger(DlqService.name);
  private readonly repository: DlqRepository;
  private readonly redisPrefix: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(CONTROL_API_CONFIG) config: ControlApiConfig,
  ) {
    this.repository = DlqRepository.of(dataSource.manager);
    this.redisPrefix = config.REDIS_KEY_PREFIX;
  }

  async list(principal: Principal, workspaceId: string, filter: DlqFilter, page: PageRequest): Promise<Page<DeadLetteredJob>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    if (filter.after && filter.before && filter.after.getTime() >= filter.before.getTime()) {
      throw invalid([{ path: '/dead_lettered_before', message: 'must be later than dead_lettered_after' }]);
    }
    return this.repository.findDeadLettered(workspaceId, filter, page);
  }

  /**
   * Puts dead-lettered jobs back on the queue. A single job_id that is not dead_lettered is a
   * 409; a filter simply never takes such jobs. Enqueue failures leave the rows `queued` for the
   * sweeper and are counted in `enqueue_failed`.
   */
  async replay(workspaceId: string, input: DlqSelectionInput & { config_version?: string }, ctx: MutationContext): Promise<ReplayOutcome> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const selection = this.selectionOf(input);
    if (input.config_version !== undefined && !(await this.repository.configVersionExists(workspaceId, input.config_version))) {
      throw invalid([{ path: '/config_version', message: `no config version ${input.config_version} in this workspace` }]);
    }

    const { replayed, events } = await this.dataSource.transaction(async (manager) => {
      const repository = DlqRepository.of(manager);
      const rows = await repository.replay(workspaceId, selection, input.config_version);
      if (selection.kind === 'one' && rows.length === 0) await this.explainMiss(repository, workspaceId, selection.jobId);
      const written = await repository.insertEvents(
        workspaceId,
        rows.map((row) => ({ jobId: row.id, type: 'job.replayed', data: input.config_version !== undefined ? { config_version: input.config_version } : {} })),
      );
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'dlq.replay',
        workspaceId,
        targetType: 'job',
        targetId: selection.kind === 'one' ? selection.jobId : null,
        reason: ctx.reason,
        before: null,
        after: { count: rows.length, job_ids: rows.map((row) => row.id), ...describeSelection(selection), ...(input.config_version !== undefined ? { config_version: input.config_version } : {}) },
        meta: ctx,
      });
      return { replayed: rows, events: written };
    });

    this.announce(workspaceId, events);
    const results = await Promise.allSettled(replayed.map((row) => this.queue.enqueue({ id: row.id, workspaceId, runAt: null, traceContext: row.traceContext })));
    const failed = results.filter((result) => result.status === 'rejected').length;
    if (failed > 0) this.logger.warn(`DLQ replay: ${failed} of ${replayed.length} jobs not enqueued (left queued for the sweeper)`);
    return { replayed: replayed.length, job_ids: replayed.map((row) => row.id), enqueue_failed: failed };
  }

  /** Deletes dead-lettered jobs; their runs go with them, their events stay until retention. */
  async purge(workspaceId: string, input: DlqSelectionInput, ctx: MutationContext): Promise<PurgeOutcome> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const selection = this.selectionOf(input);
    const { purged, events } = await this.dataSource.transaction(async (manager) => {
      const repository = DlqRepository.of(manager);
      const rows = await repository.purge(workspaceId, selection);
      if (selection.kind === 'one' && rows.length === 0) await this.explainMiss(repository, workspaceId, selection.jobId);
      const written = await repository.insertEvents(
        workspaceId,
        rows.map((row) => ({ jobId: row.id, type: 'job.purged', data: { connector: row.connector, operation: row.operation } })),
      );
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'dlq.purge',
        workspaceId,
        targetType: 'job',
        targetId: selection.kind === 'one' ? selection.jobId : null,
        reason: ctx.reason,
        before: null,
        after: { count: rows.length, job_ids: rows.map((row) => row.id), ...describeSelection(selection) },
        meta: ctx,
      });
      return { purged: rows, events: written };
    });
    this.announce(workspaceId, events);
    return { purged: purged.length, job_ids: purged.map((row) => row.id) };
  }

  private selectionOf(input: DlqSelectionInput): DlqSelection {
    const result = toDlqSelection(input);
    if ('problems' in result) throw invalid(result.problems);
    return result.selection;
  }

  /** A single job that was not taken: unknown here (404) or not dead-lettered (409). Throws either way. */
  private async explainMiss(repository: DlqRepository, workspaceId: string, jobId: string): Promise<never> {
    const job = await repository.findJob(workspaceId, jobId);
    if (!job) throw new DomainError('NOT_FOUND', 'Job not found');
    throw new DomainError('CONFLICT', `Job is ${job.status}, not dead_lettered`, { details: [{ path: '/job_id', message: `status is ${job.status}` }] });
  }

  private announce(workspaceId: string, events: WrittenEventRow[]): void {
    const written: WrittenEvent[] = events.map((event) => ({ id: event.id, workspaceId, type: event.type, jobId: event.jobId, data: event.data }));
    announceEvents(this.redis, written, this.redisPrefix);
  }
}
