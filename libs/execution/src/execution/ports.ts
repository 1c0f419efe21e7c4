// What the execution path needs from the outside world, as narrow interfaces: the Redis stores of
// @orch/policy, the runtimes of @orch/connectors, the vault of @orch/secrets and the record writer
// satisfy them structurally, and a test may hand in its own.
import type { AttemptRequest, AttemptResult } from '@orch/connectors';
import type { BreakerAdmission, BreakerOutcome, BreakerPermit, BreakerTransition, CircuitBreakerSettings, RateLimitDecision, RateLimitSettings } from '@orch/policy';

export interface RateLimiterPort {
  take(key: string, settings: RateLimitSettings, n?: number): Promise<RateLimitDecision>;
}

export interface BreakerStorePort {
  acquire(key: string, settings: CircuitBreakerSettings): Promise<{ admission: BreakerAdmission; transitions: BreakerTransition[] }>;
  record(key: string, settings: CircuitBreakerSettings, outcome: BreakerOutcome, permit: BreakerPermit): Promise<{ transitions: BreakerTransition[] }>;
}

export interface ConcurrencyLimiterPort {
  acquire(key: string, limit: number, leaseId: string, leaseMs: number): Promise<{ allowed: boolean; retryAfterMs?: number }>;
  release(key: string, leaseId: string): Promise<unknown>;
}

export interface RuntimePort {
  attempt(request: AttemptRequest): Promise<AttemptResult>;
}

export interface RuntimesPort {
  get(type: string): RuntimePort | undefined;
}

export interface SecretsPort {
  resolve(workspaceId: string, refName: string): Promise<string>;
}

/** An event_log row to write (batched by the record writer, never one INSERT per call). */
export interface ExecutionEventRow {
  workspaceId: string;
  type: string;
  executionId?: string | null;
  jobId?: string | null;
  data: Record<string, unknown>;
}

export interface EventSinkPort {
  event(row: ExecutionEventRow): void;
}
