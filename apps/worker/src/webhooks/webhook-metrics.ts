import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { WebhookTarget } from '@orch/data';
import { MetricsService } from '@orch/platform';

type Target = WebhookTarget['kind'] | 'unknown';

/** Webhook processing in the worker (DESIGN §7: inbox lag). */
@Injectable()
export class WebhookProcessingMetrics {
  private readonly processed: Counter<'provider' | 'target'>;
  private readonly failed: Counter<'provider' | 'target' | 'code'>;
  private readonly retries: Counter<'provider' | 'target'>;
  private readonly delay: Histogram<'provider' | 'target'>;
  private readonly lag: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.processed = new Counter({ name: 'orch_webhook_processed_total', help: 'Webhook inbox rows processed, by provider and target kind', labelNames: ['provider', 'target'], registers });
    this.failed = new Counter({ name: 'orch_webhook_failed_total', help: 'Webhook inbox rows that ended failed, by provider, target kind and error code', labelNames: ['provider', 'target', 'code'], registers });
    this.retries = new Counter({ name: 'orch_webhook_retries_total', help: 'Webhook processing attempts that failed and were scheduled again', labelNames: ['provider', 'target'], registers });
    this.delay = new Histogram({
      name: 'orch_webhook_processing_delay_seconds',
      help: 'Time from a webhook being received to it being processed',
      labelNames: ['provider', 'target'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600],
      registers,
    });
    this.lag = new Gauge({ name: 'orch_webhook_inbox_lag_seconds', help: 'Age of the oldest webhook inbox row still received or processing (0 when none), as of the last sweep', registers });
  }

  processedOne(provider: string, target: Target, receivedAt: Date, now = Date.now()): void {
    this.processed.inc({ provider, target });
    this.delay.observe({ provider, target }, Math.max(0, (now - receivedAt.getTime()) / 1000));
  }

  failedOne(provider: string, target: Target, code: string): void {
    this.failed.inc({ provider, target, code });
  }

  retryScheduled(provider: string, target: Target): void {
    this.retries.inc({ provider, target });
  }

  inboxLag(seconds: number): void {
    this.lag.set(Math.max(0, seconds));
  }
}
