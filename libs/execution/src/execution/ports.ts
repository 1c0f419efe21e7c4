// What the execution path needs from the outside world, as narrow interfaces: the Redis stores of
// @orch/policy, the runtimes of @orch/connectors, the vault of @orch/secrets and the record writer
// satisfy them structurally, and a test may hand in its own.
import type { AttemptRequest, AttemptResult } from '@orch/connectors';
import type { BreakerAdmission, BreakerOutcome, BreakerPermit, BreakerStatus, BreakerTransition, CircuitBreakerSettings, RedisAdmission } from '@orch/policy';

export interface BreakerStorePort {
  acquire(key: string, settings: CircuitBreakerSettings): Promise<{ admission: BreakerAdmission; status?: BreakerStatus; transitions: BreakerTransition[] }>;
  record(key: string, settings: CircuitBreakerSettings, outcome: BreakerOutcome, permit: BreakerPermit): Promise<{ transitions: BreakerTransition[] }>;
}

/** RedisAdmission of @orch/policy: quota, lease, bucket and breaker in one script; breaker outcome and lease release in another. */
export type AdmissionPort = Pick<RedisAdmission, 'admit' | 'finish'>;

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
