import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { JobEventType } from '@orch/contracts';
import { JobEntity } from '@orch/data';
import { RecordWriter, toJobView } from '@orch/execution';
import { WORKER_CONFIG, type WorkerConfig } from '../config';
import type { DeliveryVerdict } from '../jobs/job-runner.service';
import { SignedPoster } from './signed-poster';
import { WorkspaceCallbackSecret } from './workspace-callback-secret';

const TERMINAL: ReadonlySet<JobEntity['status']> = new Set(['succeeded', 'failed', 'dead_lettered', 'cancelled']);
const DONE: DeliveryVerdict = { kind: 'done' };

/**
 * Delivers a job's terminal state to its callback_url (DESIGN §6): a POST of `{type, data}` signed
 * with Standard Webhooks headers and the workspace's callback secret, through the egress guard,
 * redirects not followed. Retries with exponential backoff (CALLBACK_BASE_DELAY_MS · 2^(n-1)) up
 * to CALLBACK_MAX_ATTEMPTS; progress is on the row (callback_status, callback_attempts) and in
 * callback.* events. The secret never leaves this class: events carry codes and statuses only.
 */
@Injectable()
export class CallbackDelivery {
  private readonly logger = new Logger(CallbackDelivery.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: WorkspaceCallbackSecret,
    private readonly poster: SignedPoster,
    private readonly records: RecordWriter,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {}

  async deliver(jobId: string, workspaceId: string): Promise<DeliveryVerdict> {
    const job = await this.dataSource.getRepository(JobEntity).findOne({ where: { id: jobId, workspaceId } });
    if (job === null || !job.callbackUrl || !TERMINAL.has(job.status)) return DONE;
    if (job.callbackStatus === 'delivered' || job.callbackStatus === 'failed') return DONE;

    const secret = await this.secrets.resolve(job.workspaceId);
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
    const result = await this.poster.post({
      url: job.callbackUrl,
      body,
      secret,
      messageId,
      timeoutMs: this.config.CALLBACK_TIMEOUT_MS,
      codePrefix: 'CALLBACK',
      destination: 'the callback URL',
      userAgent: 'orchestrator-callbacks/1',
    });

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

  private async giveUp(job: JobEntity, attempts: number, error: { code: string; message: string; status?: number | null }): Promise<void> {
    await this.dataSource.query(`UPDATE jobs SET callback_status = 'failed', callback_attempts = $2, updated_at = now() WHERE id = $1`, [job.id, attempts]);
    this.event(job, 'callback.failed', { attempts, error });
    this.logger.warn(`job ${job.id}: callback failed for good (${error.code})`);
  }

  private event(job: JobEntity, type: JobEventType, data: Record<string, unknown>): void {
    this.records.event({ workspaceId: job.workspaceId, type, jobId: job.id, data: { job_status: job.status, ...data } });
  }
}
