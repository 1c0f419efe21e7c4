import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AuditService, type MutationContext, type Principal } from '@orch/auth';
import { DomainError, type FieldError, type WebhookEventType } from '@orch/contracts';
import type { Page } from '@orch/data';
import { announceEvents, JobQueue, type WrittenEvent } from '@orch/execution';
import { REDIS_CLIENT } from '@orch/platform';
import { isUuid } from '../common/page-cursor';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { type InboxFilter, isRetryable, RETRYABLE_STATUSES, type RetrySelection, type RetrySelectionInput, timeRangeProblem, toRetrySelection } from './webhook-inbox-selection';
import { type InboxDetail, type InboxItem, type PageRequest, type RetriedRow, WebhookInboxRepository, type WrittenEventRow } from './webhook-inbox.repository';

export interface BulkRetryOutcome {
  retried: number;
  ids: string[];
  enqueue_failed: number;
}

const RETRY_REQUESTED: WebhookEventType = 'webhook.retry_requested';

function invalid(details: FieldError[]): DomainError {
  return new DomainError('VALIDATION_FAILED', 'Request validation failed', { details });
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'Webhook inbox item not found');
}

/** What an audit row records of a bulk selection (the filter as applied, dates as ISO). */
function describeSelection(selection: RetrySelection): Record<string, unknown> {
  if (selection.kind === 'ids') return { requested_ids: selection.ids.length };
  const { filter, limit } = selection;
  return {
    filter: {
      status: filter.status,
      ...(filter.provider !== undefined ? { provider: filter.provider } : {}),
      ...(filter.type !== undefined ? { type: filter.type } : {}),
      ...(filter.routeId !== undefined ? { route_id: filter.routeId } : {}),
      ...(filter.receivedAfter ? { received_after: filter.receivedAfter.toISOString() } : {}),
      ...(filter.receivedBefore ? { received_before: filter.receivedBefore.toISOString() } : {}),
    },
    limit,
  };
}

/** The event a retry writes per row: identifiers only, never headers or payload. */
function retryEvent(row: RetriedRow): { type: string; data: Record<string, unknown> } {
  return { type: RETRY_REQUESTED, data: { inbox_id: row.id, provider: row.provider, event_id: row.eventId, event_type: row.eventType, previous_status: row.previousStatus, previous_attempts: row.previousAttempts } };
}

/**
 * The webhook inbox of a workspace seen from the control plane: list, inspect and retry. A retry
 * is one transaction (rows back to `received`, a `webhook.retry_requested` event per row, one
 * audit row); the queue entries (`webhooks` queue, the inbox id as BullMQ job id) and the Redis
 * fan-out of the events follow the commit.
 */
@Injectable()
export class WebhookInboxService {
  private readonly logger = new Logger(WebhookInboxService.name);
  private readonly repository: WebhookInboxRepository;
  private readonly redisPrefix: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesService,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(CONTROL_API_CONFIG) config: ControlApiConfig,
  ) {
    this.repository = WebhookInboxRepository.of(dataSource.manager);
    this.redisPrefix = config.REDIS_KEY_PREFIX;
  }

  async list(principal: Principal, workspaceId: string, filter: InboxFilter, page: PageRequest): Promise<Page<InboxItem>> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const problems = timeRangeProblem(filter, '/received_before');
    if (problems.length > 0) throw invalid(problems);
    return this.repository.find(workspaceId, filter, page);
  }

  /** A malformed id is a 404 like an unknown one (as GET …/jobs/:jobId). */
  async get(principal: Principal, workspaceId: string, inboxId: string): Promise<InboxDetail> {
    await this.workspaces.requireAccessibleWorkspace(principal, workspaceId);
    const item = isUuid(inboxId) ? await this.repository.findOne(workspaceId, inboxId) : null;
    if (!item) throw notFound();
    return item;
  }

  /**
   * Puts one `failed` or `processed` row back to `received` (with a fresh attempt budget) and on
   * the queue. 404 when the id is not in this workspace, 409 when the row is `received` or
   * `processing` (concurrent retries included: exactly one of them moves the row). An enqueue
   * failure is logged; the row stays `received` and the worker's sweeper enqueues it.
   */
  async retryOne(workspaceId: string, inboxId: string, ctx: MutationContext): Promise<InboxItem> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    if (!isUuid(inboxId)) throw notFound();
    const { row, events } = await this.dataSource.transaction(async (manager) => {
      const repository = WebhookInboxRepository.of(manager);
      const [retried] = await repository.retry(workspaceId, { kind: 'one', id: inboxId }, RETRYABLE_STATUSES);
      if (!retried) return this.explainMiss(repository, workspaceId, inboxId);
      const written = await repository.insertEvents(workspaceId, [retryEvent(retried)]);
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'webhook-inbox.retry',
        workspaceId,
        targetType: 'webhook_inbox',
        targetId: inboxId,
        reason: ctx.reason,
        before: { status: retried.previousStatus, last_error: retried.previousError, attempts: retried.previousAttempts },
        after: { status: retried.status, attempts: retried.attempts },
        meta: ctx,
      });
      return { row: retried, events: written };
    });
    this.announce(workspaceId, events);
    const failed = await this.enqueue(workspaceId, [row]);
    if (failed > 0) this.logger.warn(`Webhook inbox retry: ${row.id} not enqueued (Redis unreachable); the row stays received`);
    return row;
  }

  /** Retries the selected rows that are retryable; the others are left as they are. */
  async retryBulk(workspaceId: string, input: RetrySelectionInput, ctx: MutationContext): Promise<BulkRetryOutcome> {
    await this.workspaces.requireAccessibleWorkspace(ctx.principal, workspaceId);
    const result = toRetrySelection(input);
    if ('problems' in result) throw invalid(result.problems);
    const { selection } = result;
    // By filter: the filter's status only. By ids: any retryable status (the operator named them).
    const statuses = selection.kind === 'filter' ? [selection.filter.status] : RETRYABLE_STATUSES;

    const { rows, events } = await this.dataSource.transaction(async (manager) => {
      const repository = WebhookInboxRepository.of(manager);
      const retried = await repository.retry(workspaceId, selection, statuses);
      const written = await repository.insertEvents(workspaceId, retried.map(retryEvent));
      await this.audit.record(manager, {
        principal: ctx.principal,
        action: 'webhook-inbox.retry-bulk',
        workspaceId,
        targetType: 'webhook_inbox',
        targetId: null,
        reason: ctx.reason,
        before: null,
        after: { count: retried.length, ids: retried.map((row) => row.id), ...describeSelection(selection) },
        meta: ctx,
      });
      return { rows: retried, events: written };
    });

    this.announce(workspaceId, events);
    const failed = await this.enqueue(workspaceId, rows);
    if (failed > 0) this.logger.warn(`Webhook inbox bulk retry: ${failed} of ${rows.length} rows not enqueued (Redis unreachable); they stay received`);
    return { retried: rows.length, ids: rows.map((row) => row.id), enqueue_failed: failed };
  }

  /** Enqueues after the commit; returns how many could not be put on the queue. */
  private async enqueue(workspaceId: string, rows: readonly InboxItem[]): Promise<number> {
    const results = await Promise.allSettled(rows.map((row) => this.queue.enqueueWebhook({ id: row.id, workspaceId })));
    return results.filter((result) => result.status === 'rejected').length;
  }

  /** A single row that was not taken: unknown here (404) or not retryable now (409). Throws either way. */
  private async explainMiss(repository: WebhookInboxRepository, workspaceId: string, inboxId: string): Promise<never> {
    const item = await repository.findOne(workspaceId, inboxId);
    if (!item) throw notFound();
    const message = isRetryable(item.status) ? 'is being retried by another request' : `status is ${item.status}`;
    throw new DomainError('CONFLICT', `Webhook inbox item is ${item.status}; only ${RETRYABLE_STATUSES.join(' or ')} items can be retried`, { details: [{ path: '/status', message }] });
  }

  private announce(workspaceId: string, events: WrittenEventRow[]): void {
    const written: WrittenEvent[] = events.map((event) => ({ id: event.id, workspaceId, type: event.type, jobId: null, data: event.data }));
    announceEvents(this.redis, written, this.redisPrefix);
  }
}
