import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, type WebhookEventType, type WebhookQueueData } from '@orch/contracts';
import { WebhookInboxEntity, WebhookRouteEntity, type WebhookTarget } from '@orch/data';
import { ExecutionService, RecordWriter } from '@orch/execution';
import { SignedPoster } from '../callbacks/signed-poster';
import { WorkspaceCallbackSecret } from '../callbacks/workspace-callback-secret';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import type { DeliveryVerdict } from '../jobs/job-runner.service';
import { formatLastError, redactSecrets, webhookRetryDelay } from './webhook-backoff';
import { WebhookProcessingMetrics } from './webhook-metrics';

const DONE: DeliveryVerdict = { kind: 'done' };
/** The shortest delay of a connector call refused at admission (quota, rate limit). */
const MIN_ADMISSION_DELAY_MS = 100;
/** Admission refusals that say nothing about the target: the attempt is given back and the row waits. */
const WITHDRAWN_CODES: ReadonlySet<string> = new Set(['QUOTA_EXCEEDED', 'RATE_LIMITED']);

export interface WebhookFailure {
  code: string;
  message: string;
  /** The HTTP status the target answered, when it answered. */
  status?: number | null;
}

/** How one attempt at a target went. */
type TargetOutcome =
  | { ok: true; detail: Record<string, unknown> }
  | { ok: false; error: WebhookFailure; retryable: boolean; retryAfterMs?: number; withdrawn?: boolean };

interface Claim {
  row: WebhookInboxEntity;
  attempt: number;
  takeover: boolean;
}

/**
 * One delivery of a `webhooks` queue entry (issue 7): claim the inbox row, act on its route's
 * target, move the row on. Statuses:
 *
 * - `received`: waiting for an attempt (new, retry scheduled, or sent back by the control plane);
 * - `processing`: an attempt is in flight (claimed with attempts + 1);
 * - `processed` / `failed`: final until a retry from the control plane sets it `received` again.
 *
 * Every transition is a conditional UPDATE on (id, status, attempts), so a duplicate queue entry
 * never runs a second attempt beside the first, and a worker taking over a row abandoned for
 * WEBHOOK_PROCESSING_STUCK_AFTER_MS can never record over a newer attempt. A retry keeps the queue
 * entry (same id) delayed by the backoff while the row waits as `received`.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger(WebhookDispatcher.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly execution: ExecutionService,
    private readonly records: RecordWriter,
    private readonly poster: SignedPoster,
    private readonly secrets: WorkspaceCallbackSecret,
    private readonly metrics: WebhookProcessingMetrics,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async handle(data: WebhookQueueData): Promise<DeliveryVerdict> {
    const row = await this.dataSource.getRepository(WebhookInboxEntity).findOne({ where: { id: data.inbox_id, workspaceId: data.workspace_id } });
    if (row === null || row.status === 'processed' || row.status === 'failed') return DONE;
    if (row.status === 'processing') {
      // Another delivery holds it (a duplicate entry, or BullMQ redelivering a stalled one): look
      // again once that attempt would be presumed abandoned.
      const staleAt = row.updatedAt.getTime() + this.config.WEBHOOK_PROCESSING_STUCK_AFTER_MS;
      if (staleAt > Date.now()) return { kind: 'delay', delayMs: staleAt - Date.now() + 50 };
    }
    const claim = await this.claim(row);
    if (claim === undefined) return DONE;
    return this.attempt(claim);
  }

  /** received → processing (or an abandoned `processing` row taken over), attempts + 1. */
  private async claim(row: WebhookInboxEntity): Promise<Claim | undefined> {
    const claimed: [Array<{ attempts: number }>, number] = await this.dataSource.query(
      `UPDATE webhook_inbox SET status = 'processing', attempts = attempts + 1, updated_at = now()
        WHERE id = $1 AND workspace_id = $2
          AND (status = 'received' OR (status = 'processing' AND updated_at < now() - make_interval(secs => $3::double precision / 1000)))
      RETURNING attempts`,
      [row.id, row.workspaceId, this.config.WEBHOOK_PROCESSING_STUCK_AFTER_MS],
    );
    const attempts = claimed[0][0]?.attempts;
    if (claimed[1] === 0 || attempts === undefined) return undefined;
    return { row: { ...row, status: 'processing', attempts }, attempt: attempts, takeover: row.status === 'processing' };
  }

  private async attempt(claim: Claim): Promise<DeliveryVerdict> {
    const { row } = claim;
    const route = row.routeId === null ? null : await this.dataSource.getRepository(WebhookRouteEntity).findOne({ where: { id: row.routeId, workspaceId: row.workspaceId } });
    const target = route?.target;
    this.event(claim, 'webhook.processing', { target: target?.kind ?? null, ...(claim.takeover ? { takeover: true } : {}) });
    if (!target) {
      return this.fail(claim, 'unknown', { code: 'WEBHOOK_ROUTE_DELETED', message: 'the webhook route of this event was deleted; nothing to deliver it to' }, 'not_retryable');
    }

    const secretValues: string[] = [];
    let outcome: TargetOutcome;
    try {
      outcome = await this.runTarget(claim, target, secretValues);
    } catch (error) {
      // Postgres or Redis failing under a target: a retryable failure of this attempt.
      this.logger.warn(`webhook ${row.id}: attempt threw: ${error instanceof Error ? error.message : String(error)}`);
      outcome = { ok: false, error: { code: 'INTERNAL', message: 'the attempt failed inside the orchestrator' }, retryable: true };
    }

    if (outcome.ok) {
      if (await this.settle(claim, { status: 'processed', lastError: null, processedAt: true })) {
        this.metrics.processedOne(row.provider, target.kind, row.receivedAt);
        this.event(claim, 'webhook.processed', { target: target.kind, ...outcome.detail });
      }
      return DONE;
    }

    const error = { ...outcome.error, message: redactSecrets(outcome.error.message, secretValues) };
    if (outcome.withdrawn) {
      const delayMs = Math.max(MIN_ADMISSION_DELAY_MS, outcome.retryAfterMs ?? 1000);
      if (await this.settle(claim, { status: 'received', lastError: formatLastError(error, secretValues), attemptsDelta: -1 })) {
        this.event(claim, 'webhook.retry_scheduled', { target: target.kind, delay_ms: delayMs, error, attempt_counted: false });
      }
      return { kind: 'delay', delayMs };
    }
    if (outcome.retryable && claim.attempt < this.config.WEBHOOK_MAX_ATTEMPTS) {
      const delayMs = webhookRetryDelay(claim.attempt, { baseDelayMs: this.config.WEBHOOK_BASE_DELAY_MS, maxDelayMs: this.config.WEBHOOK_MAX_DELAY_MS }, outcome.retryAfterMs);
      if (await this.settle(claim, { status: 'received', lastError: formatLastError(error, secretValues) })) {
        this.metrics.retryScheduled(row.provider, target.kind);
        this.event(claim, 'webhook.retry_scheduled', { target: target.kind, delay_ms: delayMs, max_attempts: this.config.WEBHOOK_MAX_ATTEMPTS, error });
      }
      return { kind: 'delay', delayMs };
    }
    return this.fail(claim, target.kind, error, outcome.retryable ? 'attempts_exhausted' : 'not_retryable', secretValues);
  }

  private async runTarget(claim: Claim, target: WebhookTarget, secretValues: string[]): Promise<TargetOutcome> {
    switch (target.kind) {
      case 'store':
        return { ok: true, detail: {} };
      case 'forward':
        return this.forward(claim, target, secretValues);
      case 'connector':
        return this.runConnector(claim, target);
      default: {
        const unknown: never = target;
        return { ok: false, error: { code: 'WEBHOOK_TARGET_INVALID', message: `unknown target kind ${JSON.stringify((unknown as { kind?: unknown }).kind)}` }, retryable: false };
      }
    }
  }

  /**
   * POSTs the stored payload (as stored: jsonb, serialized once) to the target URL, signed with the
   * workspace callback secret; `webhook-id` is the inbox id, the same on every attempt.
   */
  private async forward(claim: Claim, target: Extract<WebhookTarget, { kind: 'forward' }>, secretValues: string[]): Promise<TargetOutcome> {
    const { row } = claim;
    if (row.payload === null && row.payloadRef !== null) return payloadUnavailable();
    const secret = await this.secrets.resolve(row.workspaceId);
    if (typeof secret !== 'string') return { ok: false, error: secret, retryable: secret.code === 'CALLBACK_SECRET_UNAVAILABLE' };
    secretValues.push(secret, secret.replace(/^whsec_/, ''));

    const result = await this.poster.post({
      url: target.url,
      body: JSON.stringify(row.payload ?? null),
      secret,
      messageId: row.id,
      timeoutMs: this.config.WEBHOOK_FORWARD_TIMEOUT_MS,
      codePrefix: 'WEBHOOK_FORWARD',
      destination: 'the forward URL',
      userAgent: 'orchestrator-webhooks/1',
      headers: informativeHeaders(row, claim.attempt),
    });
    if (result.ok) return { ok: true, detail: { status: result.status, webhook_id: row.id } };
    return { ok: false, error: { code: result.code, message: result.message, status: result.status }, retryable: result.retry };
  }

  /**
   * Runs the operation with the event as payload through ExecutionService — the path of
   * /v1/execute and job runs (quotas, rate limit, breaker, policy, events). The upstream
   * Idempotency-Key derives from the inbox id, so a retry is not a second charge. The output is
   * not kept.
   */
  private async runConnector(claim: Claim, target: Extract<WebhookTarget, { kind: 'connector' }>): Promise<TargetOutcome> {
    const { row } = claim;
    if (row.payload === null && row.payloadRef !== null) return payloadUnavailable();
    let prepared;
    try {
      prepared = await this.execution.prepare({
        workspaceId: row.workspaceId,
        connector: target.connector,
        operation: target.operation,
        payload: row.payload,
        idempotencyBasis: `webhook:${row.id}`,
        // One upstream call per attempt: the inbox retries across attempts itself.
        maxAttempts: 1,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Connector or operation gone, or the event does not fit the operation's payload schema.
      return { ok: false, error: { code: error.code, message: error.message }, retryable: false };
    }
    const outcome = await this.execution.run(prepared);
    if (outcome.ok) return { ok: true, detail: { execution_id: outcome.executionId, upstream_status: outcome.upstream.status } };
    const withdrawn = outcome.phase === 'admission' && outcome.retryable && WITHDRAWN_CODES.has(outcome.error.code);
    return {
      ok: false,
      error: { code: outcome.error.code, message: outcome.error.message, status: outcome.upstream?.status ?? null },
      retryable: outcome.retryable,
      ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
      ...(withdrawn ? { withdrawn: true } : {}),
    };
  }

  private async fail(claim: Claim, target: WebhookTarget['kind'] | 'unknown', error: WebhookFailure, reason: 'attempts_exhausted' | 'not_retryable', secretValues: string[] = []): Promise<DeliveryVerdict> {
    if (await this.settle(claim, { status: 'failed', lastError: formatLastError(error, secretValues) })) {
      this.metrics.failedOne(claim.row.provider, target, error.code);
      this.event(claim, 'webhook.failed', { target, reason, max_attempts: this.config.WEBHOOK_MAX_ATTEMPTS, error });
      this.logger.warn(`webhook ${claim.row.id}: failed for good (${error.code})`);
    }
    return DONE;
  }

  /** Moves the claimed row on, unless something newer (a takeover, a purge) happened meanwhile. */
  private async settle(claim: Claim, change: { status: 'received' | 'processed' | 'failed'; lastError: string | null; processedAt?: boolean; attemptsDelta?: number }): Promise<boolean> {
    const sets = ['status = $3', 'last_error = $4', 'updated_at = now()'];
    if (change.processedAt) sets.push('processed_at = now()');
    if (change.attemptsDelta) sets.push(`attempts = GREATEST(0, attempts + ${Math.trunc(change.attemptsDelta)})`);
    const result: [unknown[], number] = await this.dataSource.query(`UPDATE webhook_inbox SET ${sets.join(', ')} WHERE id = $1 AND status = 'processing' AND attempts = $2`, [
      claim.row.id,
      claim.attempt,
      change.status,
      change.lastError,
    ]);
    return result[1] > 0;
  }

  private event(claim: Claim, type: WebhookEventType, data: Record<string, unknown>): void {
    const { row } = claim;
    this.records.event({
      workspaceId: row.workspaceId,
      type,
      data: { inbox_id: row.id, provider: row.provider, event_id: row.eventId, event_type: row.eventType, attempt: claim.attempt, ...data },
    });
  }
}

function payloadUnavailable(): TargetOutcome {
  return { ok: false, error: { code: 'WEBHOOK_PAYLOAD_UNAVAILABLE', message: 'the payload is stored by reference (payload_ref), which this worker cannot read' }, retryable: false };
}

/** What the product may want to route on; provider values that are not plain header text are left out. */
function informativeHeaders(row: WebhookInboxEntity, attempt: number): Record<string, string> {
  const headers: Record<string, string> = { 'x-orch-provider': row.provider, 'x-orch-attempt': String(attempt) };
  if (isHeaderText(row.eventId)) headers['x-orch-event-id'] = row.eventId;
  if (row.eventType !== null && isHeaderText(row.eventType)) headers['x-orch-event-type'] = row.eventType;
  return headers;
}

function isHeaderText(value: string): boolean {
  return /^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(value);
}
