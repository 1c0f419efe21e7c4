import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerStatus } from '@orch/policy';

const BREAKER_STATE_VALUE: Record<BreakerStatus, number> = { closed: 0, half_open: 1, open: 2 };

export type RejectionReason = 'rate_limited' | 'quota_rps' | 'quota_concurrency' | 'circuit_open';

/**
 * The execution plane's Prometheus metrics (DESIGN §7), registered on the app's own registry.
 * Names and labels are the ones deploy/grafana and deploy/compose/alerts.yml query. `connector`
 * is the connector's name (readable on a dashboard; equal names in two workspaces add up),
 * `workspace` the workspace id where a per-tenant view matters (breaker, rejections).
 */
export class ExecutionMetrics {
  private readonly upstreamDuration: Histogram<'connector' | 'connector_type' | 'outcome'>;
  private readonly executions: Counter<'connector_type' | 'outcome'>;
  private readonly retries: Counter<'connector'>;
  private readonly rejections: Counter<'workspace' | 'reason'>;
  private readonly breakerState: Gauge<'workspace' | 'connector'>;
  private readonly breakerTransitions: Counter<'to'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.upstreamDuration = new Histogram({
      name: 'orch_upstream_duration_seconds',
      help: 'Duration of one upstream attempt by connector and outcome (success, status_4xx, status_5xx, network, timeout, …)',
      labelNames: ['connector', 'connector_type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.executions = new Counter({ name: 'orch_executions_total', help: 'Finished executions by connector type and outcome (succeeded or the error code)', labelNames: ['connector_type', 'outcome'], registers });
    this.retries = new Counter({ name: 'orch_retries_total', help: 'Upstream attempts after the first one of an execution', labelNames: ['connector'], registers });
    this.rejections = new Counter({
      name: 'orch_rate_limited_total',
      help: 'Executions refused before any upstream call: rate_limited, quota_rps, quota_concurrency, circuit_open',
      labelNames: ['workspace', 'reason'],
      registers,
    });
    this.breakerState = new Gauge({ name: 'orch_breaker_state', help: 'Last breaker state this process saw: 0 closed, 1 half-open, 2 open', labelNames: ['workspace', 'connector'], registers });
    this.breakerTransitions = new Counter({ name: 'orch_breaker_transitions_total', help: 'Breaker transitions reported to this process (each transition reaches one process)', labelNames: ['to'], registers });
  }

  attempt(connector: string, connectorType: string, outcome: string, seconds: number, attempt: number): void {
    this.upstreamDuration.observe({ connector, connector_type: connectorType, outcome }, seconds);
    if (attempt > 1) this.retries.inc({ connector });
  }

  finished(connectorType: string, outcome: string): void {
    this.executions.inc({ connector_type: connectorType, outcome });
  }

  rejected(workspace: string, reason: RejectionReason): void {
    this.rejections.inc({ workspace, reason });
  }

  breaker(workspace: string, connector: string, status: BreakerStatus, transitioned: boolean): void {
    this.breakerState.set({ workspace, connector }, BREAKER_STATE_VALUE[status]);
    if (transitioned) this.breakerTransitions.inc({ to: status });
  }
}
