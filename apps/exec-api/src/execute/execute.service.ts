import { Injectable } from '@nestjs/common';
import { DomainError } from '@orch/contracts';
import { type ExecutionOutcome, ExecutionService, IdempotencyService, type PreparedExecution } from '@orch/execution';
import { MetricsService, toErrorResponse } from '@orch/platform';
import { rateLimitHeaders } from '@orch/policy';
import type { ExecuteRequestDto } from './execute.dto';

/** What goes back to the client: the body is already serialised, so a replay sends the very same bytes. */
export interface ExecuteAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ExecuteCall {
  workspaceId: string;
  requestId: string;
  body: ExecuteRequestDto;
  idempotencyKey: string | string[] | undefined;
}

const ENDPOINT = 'POST /v1/execute';

/**
 * `/v1/execute` around the execution library: Idempotency-Key handling (claim → run → store or
 * release) and the mapping of an outcome to status, headers and body.
 */
@Injectable()
export class ExecuteService {
  constructor(
    private readonly executions: ExecutionService,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: MetricsService,
  ) {}

  async execute(call: ExecuteCall): Promise<ExecuteAnswer> {
    const key = IdempotencyService.validateKey(call.idempotencyKey);
    if (key === undefined) {
      const prepared = await this.executions.prepare(this.input(call));
      return this.answer(await this.executions.run(prepared), call.requestId, true);
    }

    const begun = await this.idempotency.begin({ workspaceId: call.workspaceId, endpoint: ENDPOINT, key, fingerprint: this.idempotency.fingerprint(call.body) });
    if (begun.kind === 'replay') {
      return { status: begun.status, headers: { ...begun.headers, 'Idempotent-Replayed': 'true' }, body: storedBody(begun.body) };
    }
    let prepared: PreparedExecution;
    let outcome: ExecutionOutcome;
    try {
      // Validation after the claim: a replay must not depend on the connector still existing.
      prepared = await this.executions.prepare({ ...this.input(call), idempotencyBasis: key });
      outcome = await this.executions.run(prepared);
    } catch (error) {
      // Invalid requests and unexpected failures store nothing: the key stays usable.
      await this.idempotency.release(begun.claim);
      throw error;
    }
    const answer = this.answer(outcome, call.requestId, false);
    if (!outcome.ok && outcome.phase === 'admission') {
      // Refused before any upstream call (rate limit, quota, open breaker): retrying with the same key is how clients recover.
      await this.idempotency.release(begun.claim);
    } else {
      await this.idempotency.complete(begun.claim, { status: answer.status, body: answer.body, headers: answer.headers });
    }
    return answer;
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

/** Bodies are stored as the exact JSON text sent (jsonb would reorder keys); older rows may hold an object. */
function storedBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}
