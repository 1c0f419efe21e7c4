import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerStatus } from '@orch/policy';

const BREAKER_STATE_VALUE: Record<BreakerStatus, number> = { closed: 0, half_open: 1, open: 2 };

/** The execution plane's Prometheus metrics (DESIGN §7), registered on the app's own registry. */
export class ExecutionMetrics {
  private readonly upstreamDuration: Histogram<'connector_type' | 'outcome'>;
  private readonly executions: Counter<'connector_type' | 'outcome'>;
  private readonly retries: Counter<'connector_type'>;
  private readonly rejections: Counter<'reason'>;
  private readonly breakerState: Gauge<'connector'>;
  private readonly breakerTransitions: Counter<'to'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.upstreamDuration = new Histogram({
      name: 'orch_upstream_duration_seconds',
      help: 'Duration of one upstream attempt by connector type and outcome (success, status, network, timeout, …)',
      labelNames: ['connector_type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.executions = new Counter({ name: 'orch_executions_total', help: 'Finished executions by connector type and outcome (succeeded or the error code)', labelNames: ['connector_type', 'outcome'], registers });
    this.retries = new Counter({ name: 'orch_upstream_retries_total', help: 'Attempts after the first one', labelNames: ['connector_type'], registers });
    this.rejections = new Counter({ name: 'orch_admission_rejections_total', help: 'Executions refused before any upstream call (rate_limited, quota_rps, quota_concurrency, circuit_open)', labelNames: ['reason'], registers });
    this.breakerState = new Gauge({ name: 'orch_breaker_state', help: 'Last breaker state seen by this process per connector id: 0 closed, 1 half-open, 2 open', labelNames: ['connector'], registers });
    this.breakerTransitions = new Counter({ name: 'orch_breaker_transitions_total', help: 'Breaker transitions observed by this process', labelNames: ['to'], registers });
  }

  attempt(connectorType: string, outcome: string, seconds: number, attempt: number): void {
    this.upstreamDuration.observe({ connector_type: connectorType, outcome }, seconds);
    if (attempt > 1) this.retries.inc({ connector_type: connectorType });
  }

  finished(connectorType: string, outcome: string): void {
    this.executions.inc({ connector_type: connectorType, outcome });
  }

  rejected(reason: 'rate_limited' | 'quota_rps' | 'quota_concurrency' | 'circuit_open'): void {
    this.rejections.inc({ reason });
  }

  breaker(connectorId: string, status: BreakerStatus, transitioned: boolean): void {
    this.breakerState.set({ connector: connectorId }, BREAKER_STATE_VALUE[status]);
    if (transitioned) this.breakerTransitions.inc({ to: status });
  }
}
