import { createHash, randomUUID } from 'node:crypto';
import type { AttemptResult, ConnectorOperation, SchemaValidator } from '@orch/connectors';
import { DomainError, type ErrorCode } from '@orch/contracts';
import {
  type AttemptOutcome,
  type BreakerTransition,
  Deadline,
  nextRetryDelay,
  parseRetryAfter,
  type RandomSource,
  type RateLimitDecision,
  rateLimitHeaders,
  retryDecision,
} from '@orch/policy';
import type { ConnectorCatalog, ResolvedConnector } from './connector-catalog';
import type { ExecutionMetrics } from './execution-metrics';
import type { BreakerStorePort, ConcurrencyLimiterPort, EventSinkPort, RateLimiterPort, RuntimesPort, SecretsPort } from './ports';

export interface ExecuteInput {
  workspaceId: string;
  connector: string;
  operation: string;
  payload: unknown;
  /** Caller's budget; may only shorten the policy's `timeout.total_ms`. */
  timeoutMs?: number;
  /** Given by the caller when the execution belongs to something with an id already (a job run). */
  executionId?: string;
  /** Basis of the upstream Idempotency-Key (a job id, or the client's Idempotency-Key); default the execution id. */
  idempotencyBasis?: string;
  jobId?: string;
  signal?: AbortSignal;
}

/** A request that passed validation: the connector, the operation and the payload with defaults filled in. */
export interface PreparedExecution {
  executionId: string;
  input: ExecuteInput;
  resolved: ResolvedConnector;
  operation: ConnectorOperation;
  payload: Record<string, unknown>;
}

export interface UpstreamSummary {
  status: number;
  duration_ms: number;
}

/**
 * Where an execution stopped. `admission`: refused before any upstream call (quota, rate limit,
 * open breaker, unusable configuration) — an idempotent request may be retried with the same key.
 * `upstream`: the upstream was called (it may have acted) — the outcome is final for that key.
 */
export type ExecutionPhase = 'admission' | 'upstream';

export type ExecutionOutcome =
  | { ok: true; executionId: string; output: unknown; attempts: number; upstream: UpstreamSummary; rateLimit?: RateLimitDecision }
  | { ok: false; executionId: string; error: DomainError; phase: ExecutionPhase; attempts: number; upstream?: UpstreamSummary; rateLimit?: RateLimitDecision; retryAfterMs?: number };

export interface ExecutionServiceOptions {
  catalog: ConnectorCatalog;
  validator: SchemaValidator;
  runtimes: RuntimesPort;
  secrets: SecretsPort;
  rateLimiter: RateLimiterPort;
  breakers: BreakerStorePort;
  concurrency: ConcurrencyLimiterPort;
  events: EventSinkPort;
  metrics?: ExecutionMetrics;
  /** Response bodies above this are refused (UPSTREAM_ERROR), default 1 MiB. */
  maxResponseBytes?: number;
  clock?: () => number;
  random?: RandomSource;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Upstream bodies echoed in an UPSTREAM_ERROR's details are cut to this many characters. */
const ERROR_BODY_LIMIT = 2048;
/** A concurrency lease outlives the longest execution by this much before it is presumed dead. */
const LEASE_MARGIN_MS = 5_000;

/**
 * "Run operation X of connector Y for workspace Z" (DESIGN §2): the one path used by
 * `/v1/execute` and, later, the worker. Order: workspace quotas (rps, concurrency) → the
 * operation's token bucket → the breaker → attempts within the total deadline, with retries
 * per the policy. Every failure is a DomainError carrying the public code and headers.
 */
export class ExecutionService {
  private readonly clock: () => number;
  private readonly random: RandomSource;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly maxResponseBytes: number;

  constructor(private readonly deps: ExecutionServiceOptions) {
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? abortableSleep;
    this.maxResponseBytes = deps.maxResponseBytes ?? 1024 * 1024;
  }

  /** Finds the connector and operation and validates the payload; throws NOT_FOUND / VALIDATION_FAILED. Nothing is recorded. */
  async prepare(input: ExecuteInput): Promise<PreparedExecution> {
    const resolved = await this.deps.catalog.load(input.workspaceId, input.connector);
    if (resolved === undefined) throw new DomainError('NOT_FOUND', `connector "${input.connector}" not found`);
    const operation = resolved.operations.get(input.operation);
    if (operation === undefined) throw new DomainError('NOT_FOUND', `operation "${input.operation}" not found on connector "${input.connector}"`);
    const validation = this.deps.validator.validate<Record<string, unknown>>(operation.payload_schema, input.payload ?? {}, '/payload');
    if (validation.errors.length > 0) throw new DomainError('VALIDATION_FAILED', 'payload does not match the operation payload_schema', { details: validation.errors });
    return { executionId: input.executionId ?? randomUUID(), input, resolved, operation, payload: validation.value };
  }

  async run(prepared: PreparedExecution): Promise<ExecutionOutcome> {
    const { resolved, executionId } = prepared;
    const ws = resolved.workspaceId;
    const quotaDecision = await this.deps.rateLimiter.take(`quota:rps:${ws}`, { capacity: resolved.quotas.rps, refill_per_sec: resolved.quotas.rps });
    if (!quotaDecision.allowed) {
      this.deps.metrics?.rejected('quota_rps');
      this.emit(prepared, 'quota_exceeded', { quota: 'rps', limit: resolved.quotas.rps });
      return this.refuse(prepared, 'QUOTA_EXCEEDED', `workspace quota of ${resolved.quotas.rps} requests per second exceeded`, retryAfterOf(quotaDecision));
    }
    const leaseKey = `quota:concurrency:${ws}`;
    const lease = await this.deps.concurrency.acquire(leaseKey, resolved.quotas.concurrency, executionId, resolved.policy.timeout.total_ms + LEASE_MARGIN_MS);
    if (!lease.allowed) {
      this.deps.metrics?.rejected('quota_concurrency');
      this.emit(prepared, 'quota_exceeded', { quota: 'concurrency', limit: resolved.quotas.concurrency });
      return this.refuse(prepared, 'QUOTA_EXCEEDED', `workspace quota of ${resolved.quotas.concurrency} concurrent executions reached`, Math.max(1000, lease.retryAfterMs ?? 1000));
    }
    try {
      return await this.admitted(prepared);
    } finally {
      await this.deps.concurrency.release(leaseKey, executionId).catch(() => undefined);
    }
  }

  private async admitted(prepared: PreparedExecution): Promise<ExecutionOutcome> {
    const { resolved, operation } = prepared;
    const rateLimit = await this.deps.rateLimiter.take(`ratelimit:${resolved.workspaceId}:${resolved.connector.id}:${operation.operation_id}`, resolved.policy.rateLimit);
    if (!rateLimit.allowed) {
      this.deps.metrics?.rejected('rate_limited');
      this.emit(prepared, 'rate_limited', { limit: rateLimit.limit });
      const refusal = this.refuse(prepared, 'RATE_LIMITED', `rate limit of ${resolved.connector.name}/${operation.operation_id} exceeded`, retryAfterOf(rateLimit), rateLimitHeaders(rateLimit));
      return { ...refusal, rateLimit };
    }
    const secrets = await this.resolveSecrets(prepared);
    if (secrets instanceof DomainError) return { ok: false, executionId: prepared.executionId, error: secrets, phase: 'admission', attempts: 0, rateLimit };
    this.emit(prepared, 'execution.started', {});
    const outcome = await this.attempts(prepared, secrets, rateLimit);
    this.deps.metrics?.finished(resolved.connector.type, outcome.ok ? 'succeeded' : outcome.error.code);
    if (outcome.ok) {
      this.emit(prepared, 'execution.succeeded', { attempts: outcome.attempts, upstream_status: outcome.upstream.status, duration_ms: outcome.upstream.duration_ms });
    } else if (outcome.phase === 'upstream') {
      this.emit(prepared, 'execution.failed', { code: outcome.error.code, attempts: outcome.attempts, upstream_status: outcome.upstream?.status ?? null });
    }
    return outcome;
  }

  /** The attempt loop: breaker admission, one runtime call, classification, retry decision. */
  private async attempts(prepared: PreparedExecution, secrets: Record<string, string>, rateLimit: RateLimitDecision): Promise<ExecutionOutcome> {
    const { resolved, operation, executionId } = prepared;
    const policy = resolved.policy;
    const runtime = this.deps.runtimes.get(resolved.connector.type);
    if (runtime === undefined) return { ok: false, executionId, error: new DomainError('UNAVAILABLE', `no runtime for connector type ${resolved.connector.type}`), phase: 'admission', attempts: 0, rateLimit };
    const breakerKey = `${resolved.workspaceId}:${resolved.connector.id}`;
    const deadline = Deadline.start(this.clock(), policy.timeout.total_ms, prepared.input.timeoutMs);
    const upstreamIdempotencyKey = `orch_${createHash('sha256').update(`${resolved.workspaceId}:${prepared.input.idempotencyBasis ?? executionId}`).digest('hex').slice(0, 48)}`;
    let last: { result: AttemptResult; attempt: number } | undefined;

    for (let attempt = 1; ; attempt++) {
      const acquired = await this.deps.breakers.acquire(breakerKey, policy.circuitBreaker);
      this.breakerTransitions(prepared, acquired.transitions);
      if (!acquired.admission.allowed) {
        this.deps.metrics?.rejected('circuit_open');
        const retryAfterMs = acquired.admission.retryAfterMs;
        const refusal = this.refuse(prepared, 'CIRCUIT_OPEN', `circuit breaker of connector ${resolved.connector.name} is open`, retryAfterMs, { ...rateLimitHeaders(rateLimit) });
        // After an upstream call, the breaker opening mid-retry ends the execution as an upstream failure.
        return last === undefined ? { ...refusal, rateLimit } : { ...this.failure(prepared, last.result, last.attempt, rateLimit), retryAfterMs };
      }
      const limits = deadline.attemptTimeouts(policy.timeout, this.clock());
      const result = await runtime.attempt({
        workspaceId: resolved.workspaceId,
        executionId,
        attempt,
        connector: resolved.connector,
        operation,
        payload: prepared.payload,
        secrets,
        upstreamIdempotencyKey,
        limits: { ...limits, max_response_bytes: this.maxResponseBytes },
        ...(prepared.input.signal ? { signal: prepared.input.signal } : {}),
      });
      this.deps.metrics?.attempt(resolved.connector.type, outcomeLabel(result), result.durationMs / 1000, attempt);
      const verdict = breakerVerdict(result);
      if (verdict !== undefined) {
        const recorded = await this.deps.breakers.record(breakerKey, policy.circuitBreaker, verdict, acquired.admission.permit);
        this.breakerTransitions(prepared, recorded.transitions);
      }
      if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
        return { ok: true, executionId, output: result.output, attempts: attempt, upstream: { status: result.status, duration_ms: Math.round(result.durationMs) }, rateLimit };
      }
      last = { result, attempt };
      const outcome = retryOutcome(result);
      if (outcome === undefined) return this.failure(prepared, result, attempt, rateLimit);
      const now = this.clock();
      const retryAfterMs = result.kind === 'response' ? parseRetryAfter(result.headers['retry-after'], now) : undefined;
      const delay = nextRetryDelay({ attempt, retry: policy.retry, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), random: this.random });
      const decision = retryDecision({ attempt, max_attempts: policy.retry.max_attempts, outcome, retry_on: policy.retry.retry_on, deadlineAt: deadline.deadlineAt, now, delay });
      if (!decision.retry) return this.failure(prepared, result, attempt, rateLimit);
      try {
        await this.sleep(decision.delayMs, prepared.input.signal);
      } catch {
        return this.failure(prepared, result, attempt, rateLimit);
      }
    }
  }

  private async resolveSecrets(prepared: PreparedExecution): Promise<Record<string, string> | DomainError> {
    const { resolved } = prepared;
    const secrets: Record<string, string> = {};
    try {
      await Promise.all(
        Object.entries(resolved.connector.secretRefs).map(async ([pointer, refName]) => {
          secrets[pointer] = await this.deps.secrets.resolve(resolved.workspaceId, refName);
        }),
      );
    } catch (error) {
      // The resolver's message names the ref and the reason, never a value.
      const message = error instanceof Error ? error.message : 'a secret ref did not resolve';
      return new DomainError('UNAVAILABLE', `connector ${resolved.connector.name} cannot run: ${message}`);
    }
    return secrets;
  }

  /** The public error for the last attempt's result. */
  private failure(prepared: PreparedExecution, result: AttemptResult, attempts: number, rateLimit: RateLimitDecision): Extract<ExecutionOutcome, { ok: false }> {
    const base = { ok: false as const, executionId: prepared.executionId, attempts, rateLimit };
    const headers = rateLimitHeaders(rateLimit);
    switch (result.kind) {
      case 'response': {
        const upstream = { status: result.status, duration_ms: Math.round(result.durationMs) };
        const retryAfter = result.headers['retry-after'];
        const error = new DomainError('UPSTREAM_ERROR', `upstream answered ${result.status}`, {
          details: { upstream_status: result.status, attempts, upstream_body: truncateBody(result.output) },
          headers: result.status === 429 && retryAfter !== undefined ? { ...headers, 'Retry-After': retryAfter } : headers,
        });
        return { ...base, error, phase: 'upstream', upstream };
      }
      case 'too_large':
        return {
          ...base,
          error: new DomainError('UPSTREAM_ERROR', `upstream response exceeded ${this.maxResponseBytes} bytes`, { details: { upstream_status: result.status, attempts }, headers }),
          phase: 'upstream',
          upstream: { status: result.status, duration_ms: Math.round(result.durationMs) },
        };
      case 'timeout':
        return { ...base, error: new DomainError('UPSTREAM_TIMEOUT', `upstream did not answer in time (${result.phase} timeout)`, { details: { timeout: result.phase, attempts }, headers }), phase: 'upstream' };
      case 'network':
        return { ...base, error: new DomainError('UPSTREAM_UNREACHABLE', `upstream unreachable: ${result.message}`, { details: { attempts }, headers }), phase: 'upstream' };
      case 'blocked':
        return { ...base, error: new DomainError('EGRESS_BLOCKED', result.error.message, { details: { host: result.error.host, reason: result.error.reason }, headers }), phase: attempts > 1 ? 'upstream' : 'admission' };
      case 'invalid':
        return { ...base, error: new DomainError('VALIDATION_FAILED', result.message, { headers }), phase: attempts > 1 ? 'upstream' : 'admission' };
    }
  }

  private refuse(prepared: PreparedExecution, code: ErrorCode, message: string, retryAfterMs: number | undefined, headers: Record<string, string> = {}): Extract<ExecutionOutcome, { ok: false }> {
    const all = { ...headers };
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) all['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    return {
      ok: false,
      executionId: prepared.executionId,
      error: new DomainError(code, message, { headers: all }),
      phase: 'admission',
      attempts: 0,
      ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
    };
  }

  private breakerTransitions(prepared: PreparedExecution, transitions: readonly BreakerTransition[]): void {
    const connectorId = prepared.resolved.connector.id;
    for (const t of transitions) {
      this.deps.metrics?.breaker(connectorId, t.to, true);
      this.emit(prepared, `breaker.${t.to === 'half_open' ? 'half_open' : t.to === 'open' ? 'opened' : 'closed'}`, { from: t.from, to: t.to, at: new Date(t.at).toISOString() });
    }
  }

  private emit(prepared: PreparedExecution, type: string, data: Record<string, unknown>): void {
    this.deps.events.event({
      workspaceId: prepared.resolved.workspaceId,
      type,
      executionId: prepared.executionId,
      jobId: prepared.input.jobId ?? null,
      data: { connector: prepared.resolved.connector.name, operation: prepared.operation.operation_id, ...data },
    });
  }
}

/** What the breaker learns from an attempt: 5xx, 429, timeouts and network errors are failures; a request that never left says nothing. */
function breakerVerdict(result: AttemptResult): 'success' | 'failure' | undefined {
  switch (result.kind) {
    case 'response':
      return result.status >= 500 || result.status === 429 ? 'failure' : 'success';
    case 'too_large':
      return 'success';
    case 'network':
    case 'timeout':
      return 'failure';
    case 'blocked':
    case 'invalid':
      return undefined;
  }
}

/** The retry policy's view of a failed attempt; undefined = never retryable. */
function retryOutcome(result: AttemptResult): AttemptOutcome | undefined {
  switch (result.kind) {
    case 'response':
      return { kind: 'status', status: result.status };
    case 'network':
      return { kind: 'network' };
    case 'timeout':
      // The total budget is gone: nothing is left to retry with.
      return result.phase === 'total' ? undefined : { kind: 'timeout' };
    case 'too_large':
    case 'blocked':
    case 'invalid':
      return undefined;
  }
}

function outcomeLabel(result: AttemptResult): string {
  if (result.kind === 'response') return result.status >= 200 && result.status < 300 ? 'success' : `status_${Math.floor(result.status / 100)}xx`;
  return result.kind;
}

function retryAfterOf(decision: RateLimitDecision): number | undefined {
  return Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : undefined;
}

function truncateBody(output: unknown): unknown {
  if (output === undefined || output === null) return null;
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  if (text.length <= ERROR_BODY_LIMIT) return output;
  return `${text.slice(0, ERROR_BODY_LIMIT)}…`;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
