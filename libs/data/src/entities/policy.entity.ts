import { Check, Column, Entity, Unique } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn, UuidPrimaryColumn, sqlList } from './columns';
import { WorkspaceRelation } from './workspace-relation';
import type { WorkspaceEntity } from './workspace.entity';

export interface PolicyTimeout {
  connect_ms: number;
  read_ms: number;
  total_ms: number;
}

/** What a failed attempt may be retried on: a transport failure class or an upstream HTTP status. */
export type RetryCondition = 'network' | 'timeout' | number;

export interface PolicyRetry {
  max_attempts: number;
  base_delay_ms: number;
  max_delay_ms: number;
  jitter: 'full' | 'none';
  retry_on: RetryCondition[];
  respect_retry_after: boolean;
}

export interface PolicyCircuitBreaker {
  window_ms: number;
  min_requests: number;
  /** 0..1 share of failed calls in the window that opens the breaker. */
  failure_rate_threshold: number;
  open_ms: number;
  half_open_probes: number;
}

export interface PolicyRateLimit {
  capacity: number;
  refill_per_sec: number;
}

export const DEGRADATION_MODES = ['fail_fast', 'queue_with_delay'] as const;
export type DegradationMode = (typeof DEGRADATION_MODES)[number];

@Entity({ name: 'policies' })
@Unique('uq_policies_workspace_name', ['workspaceId', 'name'])
@Check('ck_policies_degradation', `degradation IN (${sqlList(DEGRADATION_MODES)})`)
export class PolicyEntity {
  @UuidPrimaryColumn('policies')
  id!: string;

  @Column({ type: 'uuid', name: 'workspace_id' })
  workspaceId!: string;

  @WorkspaceRelation('policies')
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', name: 'name' })
  name!: string;

  @Column({ type: 'jsonb', name: 'timeout' })
  timeout!: PolicyTimeout;

  @Column({ type: 'jsonb', name: 'retry' })
  retry!: PolicyRetry;

  @Column({ type: 'jsonb', name: 'circuit_breaker' })
  circuitBreaker!: PolicyCircuitBreaker;

  @Column({ type: 'jsonb', name: 'rate_limit' })
  rateLimit!: PolicyRateLimit;

  @Column({ type: 'text', name: 'degradation', default: 'fail_fast' })
  degradation!: DegradationMode;

  @CreatedAtColumn()
  createdAt!: Date;

  @UpdatedAtColumn()
  updatedAt!: Date;
}
