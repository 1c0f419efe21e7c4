import { Injectable } from '@nestjs/common';
import { DomainError } from '@orch/contracts';
import { type ExecutionOutcome, ExecutionService, IdempotencyService } from '@orch/execution';
import { MetricsService, toErrorResponse } from '@orch/platform';
import { rateLimitHeaders } from '@orch/policy';
import { handleIdempotently, type HttpAnswer } from '../idempotency/idempotent-request';
import type { ExecuteRequestDto } from './execute.dto';

/** What goes back to the client (status, headers, serialised body). */
export type ExecuteAnswer = HttpAnswer;

export interface ExecuteCall {
  workspaceId: string;
  requestId: string;
  body: ExecuteRequestDto;
  idempotencyKey: string | string[] | undefined;
}

const ENDPOINT = 'POST /v1/execute';

/**
 * `/v1/execute` around the execution library: Idempotency-Key handling (handleIdempotently: claim →
 * run → store or release) and the mapping of an outcome to status, headers and body.
 */
@Injectable()
export class ExecuteService {
  constructor(
    private readonly executions: ExecutionService,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: MetricsService,
  ) {}

  async execute(call: ExecuteCall): Promise<ExecuteAnswer> {
    return handleIdempotently(this.idempotency, { workspaceId: call.workspaceId, endpoint: ENDPOINT, rawKey: call.idempotencyKey, body: call.body }, async (key) => {
      // Validation after the claim: a replay must not depend on the connector still existing.
      const prepared = await this.executions.prepare({ ...this.input(call), ...(key === undefined ? {} : { idempotencyBasis: key }) });
      const outcome = await this.executions.run(prepared);
      // Without a key, failures are thrown (the global filter renders them); with one they are stored.
      const answer = this.answer(outcome, call.requestId, key === undefined);
      // Refused before any upstream call (rate limit, quota, open breaker): retrying with the same key is how clients recover.
      return { answer, store: outcome.ok || outcome.phase !== 'admission' };
    });
  }

  private input(call: ExecuteCall) {
    return {
      workspaceId: call.workspaceId,
      connector: call.body.connector,
      operation: call.body.operation,
      payload: call.body.payload,
      ...(call.body.timeout_ms === undefined ? {} : { timeoutMs: call.body.timeout_ms }),
    };
  }

  /**
   * Success → 200 with the execution summary. Failure without a key → thrown (the global filter
   * renders it); with a key the envelope is built here, since it is stored and replayed as is.
   */
  private answer(outcome: ExecutionOutcome, requestId: string, throwErrors: boolean): ExecuteAnswer {
    if (outcome.ok) {
      const headers = outcome.rateLimit ? rateLimitHeaders(outcome.rateLimit) : {};
      return {
        status: 200,
        headers,
        body: JSON.stringify({ execution_id: outcome.executionId, status: 'succeeded', output: outcome.output ?? null, attempts: outcome.attempts, upstream: outcome.upstream }),
      };
    }
    if (throwErrors) throw withExecutionId(outcome.error, outcome.executionId);
    const rendered = toErrorResponse(withExecutionId(outcome.error, outcome.executionId), requestId);
    // Sent by the controller, not the global filter: counted here.
    this.metrics.observeError(rendered.envelope.error.code);
    return { status: rendered.status, headers: rendered.headers, body: JSON.stringify(rendered.envelope) };
  }
}

/** Failures after the upstream was reached name the execution, so it can be found in the events. */
function withExecutionId(error: DomainError, executionId: string): DomainError {
  const details = error.details === undefined ? { execution_id: executionId } : typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details) ? { ...error.details, execution_id: executionId } : error.details;
  return new DomainError(error.code, error.message, { details, ...(error.headers ? { headers: { ...error.headers } } : {}) });
}
