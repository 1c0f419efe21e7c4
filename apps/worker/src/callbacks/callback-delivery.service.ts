import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { request, type Dispatcher } from 'undici';
import type { JobEventType } from '@orch/contracts';
import { assertUrlAllowed, createGuardedDispatcher, EgressPolicy, isEgressBlockedError } from '@orch/connectors';
import { JobEntity, WorkspaceEntity } from '@orch/data';
import { RecordWriter, toJobView } from '@orch/execution';
import { SecretResolver } from '@orch/secrets';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import type { DeliveryVerdict } from '../jobs/job-runner.service';
import { standardWebhookHeaders } from './webhook-signature';

const TERMINAL: ReadonlySet<JobEntity['status']> = new Set(['succeeded', 'failed', 'dead_lettered', 'cancelled']);
const DONE: DeliveryVerdict = { kind: 'done' };

/** How one POST went: a 2xx, another status (3xx included: redirects are not followed), or no answer. */
type PostResult = { ok: true; status: number } | { ok: false; status: number | null; code: string; message: string; retry: boolean };

/**
 * Delivers a job's terminal state to its callback_url (DESIGN §6): a POST of `{type, data}` signed
 * with Standard Webhooks headers and the workspace's callback secret, through the egress guard,
 * redirects not followed. Retries with exponential backoff (CALLBACK_BASE_DELAY_MS · 2^(n-1)) up
 * to CALLBACK_MAX_ATTEMPTS; progress is on the row (callback_status, callback_attempts) and in
 * callback.* events. The secret never leaves this class: events carry codes and statuses only.
 */
@Injectable()
export class CallbackDelivery implements OnApplicationShutdown {
  private readonly logger = new Logger(CallbackDelivery.name);
  private readonly policy: EgressPolicy;
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretResolver,
    private readonly records: RecordWriter,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.policy = new EgressPolicy(config.EGRESS_ALLOW_CIDRS ?? '');
    this.dispatcher = createGuardedDispatcher({ policy: this.policy });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }

  async deliver(jobId: string, workspaceId: string): Promise<DeliveryVerdict> {
    const job = await this.dataSource.getRepository(JobEntity).findOne({ where: { id: jobId, workspaceId } });
    if (job === null || !job.callbackUrl || !TERMINAL.has(job.status)) return DONE;
    if (job.callbackStatus === 'delivered' || job.callbackStatus === 'failed') return DONE;

    const secret = await this.callbackSecret(job);
    if (typeof secret !== 'string') {
      await this.giveUp(job, job.callbackAttempts, secret);
      return DONE;
    }
    const attempt = job.callbackAttempts + 1;
    await this.dataSource.query(`UPDATE jobs SET callback_status = 'delivering', callback_attempts = $2, updated_at = now() WHERE id = $1`, [job.id, attempt]);

    const body = JSON.stringify({ type: `job.${job.status}`, data: toJobView(job) });
    // Stable across the retries of one terminal transition (receivers dedupe on it), new after a
    // DLQ replay that ends in the same status again (finished_at moves).
    const messageId = `msg_${job.id}_${job.status}_${job.finishedAt?.getTime() ?? 0}`;
    const result = await this.post(job.callbackUrl, body, standardWebhookHeaders(secret, messageId, Math.floor(Date.now() / 1000), body));

    if (result.ok) {
      await this.dataSource.query(`UPDATE jobs SET callback_status = 'delivered', updated_at = now() WHERE id = $1`, [job.id]);
      this.event(job, 'callback.delivered', { attempt, status: result.status, webhook_id: messageId });
      return DONE;
    }
    const failure = { code: result.code, message: result.message, status: result.status };
    if (result.retry && attempt < this.config.CALLBACK_MAX_ATTEMPTS) {
      const delayMs = this.config.CALLBACK_BASE_DELAY_MS * 2 ** (attempt - 1);
      this.event(job, 'callback.retry_scheduled', { attempt, delay_ms: delayMs, error: failure });
      return { kind: 'delay', delayMs };
    }
    await this.giveUp(job, attempt, failure);
    return DONE;
  }

  private async callbackSecret(job: JobEntity): Promise<string | { code: string; message: string }> {
    const workspace = await this.dataSource.getRepository(WorkspaceEntity).findOne({ where: { id: job.workspaceId }, select: { id: true, callbackSecretRef: true } });
    if (!workspace?.callbackSecretRef) return { code: 'CALLBACK_SECRET_MISSING', message: 'the workspace has no callback secret (callback_secret_ref); callbacks cannot be signed' };
    try {
      return await this.secrets.resolve(job.workspaceId, workspace.callbackSecretRef);
    } catch (error) {
      // The resolver's message names the ref and the reason, never a value.
      return { code: 'CALLBACK_SECRET_UNAVAILABLE', message: error instanceof Error ? error.message : 'the callback secret did not resolve' };
    }
  }

  private async post(url: string, body: string, signature: Record<string, string>): Promise<PostResult> {
    try {
      assertUrlAllowed(url, this.policy);
      const response = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'orchestrator-callbacks/1', ...signature },
        dispatcher: this.dispatcher,
        headersTimeout: this.config.CALLBACK_TIMEOUT_MS,
        bodyTimeout: this.config.CALLBACK_TIMEOUT_MS,
        signal: AbortSignal.timeout(this.config.CALLBACK_TIMEOUT_MS),
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, status: response.statusCode };
      const redirect = response.statusCode >= 300 && response.statusCode < 400;
      return { ok: false, status: response.statusCode, code: redirect ? 'CALLBACK_REDIRECTED' : 'CALLBACK_REJECTED', message: `the callback URL answered ${response.statusCode}${redirect ? ' (redirects are not followed)' : ''}`, retry: true };
    } catch (error) {
      const blocked = isEgressBlockedError(error) || (error instanceof Error && isEgressBlockedError(error.cause));
      if (blocked) return { ok: false, status: null, code: 'EGRESS_BLOCKED', message: 'the callback URL is not an allowed destination', retry: false };
      const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'HeadersTimeoutError' || error.name === 'BodyTimeoutError');
      return { ok: false, status: null, code: timeout ? 'CALLBACK_TIMEOUT' : 'CALLBACK_UNREACHABLE', message: timeout ? 'the callback URL did not answer in time' : 'the callback URL could not be reached', retry: true };
    }
  }

  private async giveUp(job: JobEntity, attempts: number, error: { code: string; message: string; status?: number | null }): Promise<void> {
    await this.dataSource.query(`UPDATE jobs SET callback_status = 'failed', callback_attempts = $2, updated_at = now() WHERE id = $1`, [job.id, attempts]);
    this.event(job, 'callback.failed', { attempts, error });
    this.logger.warn(`job ${job.id}: callback failed for good (${error.code})`);
  }

  private event(job: JobEntity, type: JobEventType, data: Record<string, unknown>): void {
    this.records.event({ workspaceId: job.workspaceId, type, jobId: job.id, data: { job_status: job.status, ...data } });
  }
}
