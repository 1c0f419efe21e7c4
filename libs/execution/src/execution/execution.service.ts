import { createHash, randomUUID } from 'node:crypto';
import type { AttemptResult, ConnectorOperation, SchemaValidator } from '@orch/connectors';
import { DomainError, type ErrorCode } from '@orch/contracts';
import {
  type AttemptOutcome,
  type BreakerOutcome,
  type BreakerPermit,
  type BreakerStatus,
  type BreakerTransition,
  Deadline,
  isRetryable,
  nextRetryDelay,
  parseRetryAfter,
  type RandomSource,
  type RateLimitDecision,
  rateLimitHeaders,
  retryDecision,
} from '@orch/policy';
import type { ConnectorCatalog, ResolvedConnector } from './connector-catalog';
import type { ExecutionMetrics } from './execution-metrics';
import type { AdmissionPort, BreakerStorePort, EventSinkPort, RuntimesPort, SecretsPort } from './ports';

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
  /**
   * Upstream attempts inside this execution, default the policy's `retry.max_attempts`. A job run
   * passes 1: the worker retries across runs itself (one `runs` row per attempt).
   */
  maxAttempts?: number;
  signal?: AbortSignal;
  /**
   * Send the closing script (lease release, breaker outcome) without waiting for Redis's answer,
   * so the caller can record the outcome meanwhile (the job runner writes the run's transition).
   * Redis runs it before anything this process sends later (one connection, in order). A failure
   * goes to `onBackgroundError` and the lease then expires with its TTL; `settled()` waits for
   * the closings in flight (graceful shutdown).
   */
  finishInBackground?: boolean;
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
  | {
      ok: false;
      executionId: string;
      error: DomainError;
      phase: ExecutionPhase;
      attempts: number;
      upstream?: UpstreamSummary;
      rateLimit?: RateLimitDecision;
      /** When trying again may help: Retry-After of a refusal, or of the upstream's answer. */
      retryAfterMs?: number;
      /**
       * Whether trying again later may succeed: the policy's `retry_on` covers the last upstream
       * failure, or the refusal is temporary (quota, rate limit, open breaker, a secret that does
       * not resolve yet). The worker decides job retries with it.
       */
      retryable: boolean;
    };

export interface ExecutionServiceOptions {
  catalog: ConnectorCatalog;
  validator: SchemaValidator;
  runtimes: RuntimesPort;
  secrets: SecretsPort;
  /** Quotas, rate limit and breaker admission in one step, and the matching finish. */
  admission: AdmissionPort;
  /** The breaker alone, for the attempts after the first. */
  breakers: BreakerStorePort;
  events: EventSinkPort;
  metrics?: ExecutionMetrics;
  /** Response bodies above this are refused (UPSTREAM_ERROR), default 1 MiB. */
  maxResponseBytes?: number;
  clock?: () => number;
  random?: RandomSource;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A closing script sent in the background failed (ExecuteInput.finishInBackground). */
  onBackgroundError?: (error: unknown) => void;
}

type FinishFn = (breaker?: { outcome: BreakerOutcome; permit: BreakerPermit }) => Promise<void>;

/** Upstream bodies echoed in an UPSTREAM_ERROR's details are cut to this many characters. */
const ERROR_BODY_LIMIT = 2048;
/** A concurrency lease outlives the longest execution by this much before it is presumed dead. */
const LEASE_MARGIN_MS = 5_000;

/**
 * "Run operation X of connector Y for workspace Z" (DESIGN §2): the one path used by
 * `/v1/execute` and, later, the worker. Order: workspace quotas (rps, concurrency) → the
 * operation's token bucket → the breaker → attempts within the total deadline, with retries
 * per the policy. Every failure is a DomainError carrying the public code and headers. Redis:
 * one script admits (quotas, bucket, breaker), one finishes (breaker outcome, lease release).
 */
export class ExecutionService {
  private readonly clock: () => number;
  private readonly random: RandomSource;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly maxResponseBytes: number;
  private readonly closing = new Set<Promise<void>>();

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
    const { resolved, executionId, operation } = prepared;
    const ws = resolved.workspaceId;
    const keys = this.keysOf(prepared);
    // Quota rps → concurrency lease → the operation's bucket → the breaker: one Redis script.
    const admitted = await this.deps.admission.admit({
      quota: { key: keys.quota, rps: resolved.quotas.rps },
      lease: { key: keys.lease, limit: resolved.quotas.concurrency, leaseId: executionId, leaseMs: resolved.policy.timeout.total_ms + LEASE_MARGIN_MS },
      rateLimit: { key: keys.rateLimit, settings: resolved.policy.rateLimit },
      breaker: { key: keys.breaker, settings: resolved.policy.circuitBreaker },
    });
    if (!admitted.admitted) {
      switch (admitted.reason) {
        case 'quota_rps':
          this.deps.metrics?.rejected(ws, 'quota_rps');
          this.emit(prepared, 'quota_exceeded', { quota: 'rps', limit: resolved.quotas.rps });
          return this.refuse(prepared, 'QUOTA_EXCEEDED', `workspace quota of ${resolved.quotas.rps} requests per second exceeded`, finite(admitted.retryAfterMs));
        case 'quota_concurrency':
          this.deps.metrics?.rejected(ws, 'quota_concurrency');
          this.emit(prepared, 'quota_exceeded', { quota: 'concurrency', limit: resolved.quotas.concurrency });
          return this.refuse(prepared, 'QUOTA_EXCEEDED', `workspace quota of ${resolved.quotas.concurrency} concurrent executions reached`, Math.max(1000, finite(admitted.retryAfterMs) ?? 1000));
        case 'rate_limited': {
          this.deps.metrics?.rejected(ws, 'rate_limited');
          this.emit(prepared, 'rate_limited', { limit: admitted.rateLimit.limit });
          const message = `rate limit of ${resolved.connector.name}/${operation.operation_id} exceeded`;
          return { ...this.refuse(prepared, 'RATE_LIMITED', message, retryAfterOf(admitted.rateLimit), rateLimitHeaders(admitted.rateLimit)), rateLimit: admitted.rateLimit };
        }
        case 'circuit_open':
          this.breakerSeen(prepared, admitted.status, admitted.transitions);
          this.deps.metrics?.rejected(ws, 'circuit_open');
          return {
            ...this.refuse(prepared, 'CIRCUIT_OPEN', `circuit breaker of connector ${resolved.connector.name} is open`, admitted.retryAfterMs, rateLimitHeaders(admitted.rateLimit)),
            rateLimit: admitted.rateLimit,
          };
      }
    }
    this.breakerSeen(prepared, admitted.status, admitted.transitions);
    let finished = false;
    const finish = async (breaker?: { outcome: BreakerOutcome; permit: BreakerPermit }): Promise<void> => {
      finished = true;
      const closed = this.deps.admission
        .finish({
          lease: { key: keys.lease, leaseId: executionId },
          ...(breaker ? { breaker: { key: keys.breaker, settings: resolved.policy.circuitBreaker, ...breaker } } : {}),
        })
        .then((done) => this.breakerSeen(prepared, done.status, done.transitions));
      if (prepared.input.finishInBackground) this.inBackground(closed);
      else await closed;
    };
    try {
      return await this.admittedRun(prepared, admitted.rateLimit, admitted.permit, finish);
    } finally {
      // Whatever happened (a Redis error included), the concurrency slot is given back.
      if (!finished) await this.deps.admission.finish({ lease: { key: keys.lease, leaseId: executionId } }).catch(() => undefined);
    }
  }

  /** Resolves once every closing script sent in the background has been answered (or failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  private inBackground(closed: Promise<void>): void {
    const tracked = closed
      .catch((error: unknown) => {
        try {
          this.deps.onBackgroundError?.(error);
        } catch {
          // Reporting must not turn into an unhandled rejection or fail settled().
        }
      })
      .finally(() => {
        this.closing.delete(tracked);
      });
    this.closing.add(tracked);
  }

  private keysOf(prepared: PreparedExecution): { quota: string; lease: string; rateLimit: string; breaker: string } {
    const { resolved, operation } = prepared;
    const ws = resolved.workspaceId;
    return {
      quota: `quota:rps:${ws}`,
      lease: `quota:concurrency:${ws}`,
      rateLimit: `ratelimit:${ws}:${resolved.connector.id}:${operation.operation_id}`,
      breaker: `${ws}:${resolved.connector.id}`,
    };
  }

  private async admittedRun(prepared: PreparedExecution, rateLimit: RateLimitDecision, permit: BreakerPermit, finish: FinishFn): Promise<ExecutionOutcome> {
    const { resolved } = prepared;
    const secrets = await this.resolveSecrets(prepared);
    if (secrets instanceof DomainError) {
      await finish();
      return { ok: false, executionId: prepared.executionId, error: secrets, phase: 'admission', attempts: 0, rateLimit, retryable: true };
    }
    // A job run's lifecycle is its run.* events (the job runner writes them with the run id as
    // execution id); execution.* would repeat them row for row (D65).
    const lifecycle = prepared.input.jobId == null;
    if (lifecycle) this.emit(prepared, 'execution.started', {});
    const outcome = await this.attempts(prepared, secrets, rateLimit, permit, finish);
    this.deps.metrics?.finished(resolved.connector.type, outcome.ok ? 'succeeded' : outcome.error.code);
    if (!lifecycle) return outcome;
    if (outcome.ok) {
      this.emit(prepared, 'execution.succeeded', { attempts: outcome.attempts, upstream_status: outcome.upstream.status, duration_ms: outcome.upstream.duration_ms });
    } else if (outcome.phase === 'upstream') {
      this.emit(prepared, 'execution.failed', { code: outcome.error.code, attempts: outcome.attempts, upstream_status: outcome.upstream?.status ?? null });
    }
    return outcome;
  }

  /**
   * The attempt loop: one runtime call, classification, retry decision. The first attempt was
   * admitted by the breaker in the admission script; later ones ask the breaker again. The last
   * attempt's outcome goes to the breaker together with the lease release (one script).
   */
  private async attempts(prepared: PreparedExecution, secrets: Record<string, string>, rateLimit: RateLimitDecision, firstPermit: BreakerPermit, finish: FinishFn): Promise<ExecutionOutcome> {
    const { resolved, operation, executionId } = prepared;
    const policy = resolved.policy;
    const runtime = this.deps.runtimes.get(resolved.connector.type);
    if (runtime === undefined) {
      await finish();
      return { ok: false, executionId, error: new DomainError('UNAVAILABLE', `no runtime for connector type ${resolved.connector.type}`), phase: 'admission', attempts: 0, rateLimit, retryable: false };
    }
    const breakerKey = this.keysOf(prepared).breaker;
    const deadline = Deadline.start(this.clock(), policy.timeout.total_ms, prepared.input.timeoutMs);
    const upstreamIdempotencyKey = `orch_${createHash('sha256').update(`${resolved.workspaceId}:${prepared.input.idempotencyBasis ?? executionId}`).digest('hex').slice(0, 48)}`;
    let permit = firstPermit;
    let last: AttemptResult | undefined;

    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        const acquired = await this.deps.breakers.acquire(breakerKey, policy.circuitBreaker);
        this.breakerSeen(prepared, acquired.status, acquired.transitions);
        if (!acquired.admission.allowed) {
          // The breaker opened between two attempts: the execution ends with the last upstream failure.
          this.deps.metrics?.rejected(resolved.workspaceId, 'circuit_open');
          await finish();
          return last === undefined
            ? { ...this.refuse(prepared, 'CIRCUIT_OPEN', `circuit breaker of connector ${resolved.connector.name} is open`, acquired.admission.retryAfterMs), rateLimit }
            : { ...this.failure(prepared, last, attempt - 1, rateLimit), retryAfterMs: acquired.admission.retryAfterMs };
        }
        permit = acquired.admission.permit;
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
      this.deps.metrics?.attempt(resolved.connector.name, resolved.connector.type, outcomeLabel(result), result.durationMs / 1000, attempt);
      const verdict = breakerVerdict(result);
      const recorded = verdict === undefined ? undefined : { outcome: verdict, permit };

      if (result.kind === 'response' && result.status >= 200 && result.status < 300) {
        await finish(recorded);
        return { ok: true, executionId, output: result.output, attempts: attempt, upstream: { status: result.status, duration_ms: Math.round(result.durationMs) }, rateLimit };
      }
      last = result;
      const outcome = retryOutcome(result);
      const now = this.clock();
      const retryAfterMs = result.kind === 'response' ? parseRetryAfter(result.headers['retry-after'], now) : undefined;
      const decision =
        outcome === undefined
          ? undefined
          : retryDecision({
              attempt,
              max_attempts: prepared.input.maxAttempts ?? policy.retry.max_attempts,
              outcome,
              retry_on: policy.retry.retry_on,
              deadlineAt: deadline.deadlineAt,
              now,
              delay: nextRetryDelay({ attempt, retry: policy.retry, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), random: this.random }),
            });
      if (decision === undefined || !decision.retry) {
        await finish(recorded);
        return this.failure(prepared, result, attempt, rateLimit);
      }
      if (recorded) {
        const step = await this.deps.breakers.record(breakerKey, policy.circuitBreaker, recorded.outcome, recorded.permit);
        this.breakerSeen(prepared, undefined, step.transitions);
      }
      try {
        await this.sleep(decision.delayMs, prepared.input.signal);
      } catch {
        await finish();
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
    const outcome = retryOutcome(result);
    const retryAfterMs = result.kind === 'response' ? parseRetryAfter(result.headers['retry-after'], this.clock()) : undefined;
    const base = {
      ok: false as const,
      executionId: prepared.executionId,
      attempts,
      rateLimit,
      retryable: outcome !== undefined && isRetryable(outcome, prepared.resolved.policy.retry.retry_on),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
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
      // Quotas, rate limits and an open breaker are temporary by nature.
      retryable: true,
      ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
    };
  }

  /** The breaker state a Redis step reported (gauge) and its transitions (events, counter). */
  private breakerSeen(prepared: PreparedExecution, status: BreakerStatus | undefined, transitions: readonly BreakerTransition[]): void {
    const { workspaceId, connector } = prepared.resolved;
    if (status !== undefined) this.deps.metrics?.breaker(workspaceId, connector.name, status, false);
    for (const t of transitions) {
      this.deps.metrics?.breaker(workspaceId, connector.name, t.to, true);
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

function finite(ms: number): number | undefined {
  return Number.isFinite(ms) ? ms : undefined;
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
