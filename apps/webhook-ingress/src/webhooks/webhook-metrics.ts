import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { VerifyFailureReason } from '@orch/connectors';
import { MetricsService } from '@orch/platform';

@Injectable()
export class WebhookMetrics {
  private readonly signatureFailures: Counter<'provider' | 'reason'>;

  constructor(metrics: MetricsService) {
    this.signatureFailures = new Counter({
      name: 'orch_webhook_signature_failures_total',
      help: 'Webhooks refused with WEBHOOK_SIGNATURE_INVALID, by provider and reason',
      labelNames: ['provider', 'reason'],
      registers: [metrics.registry],
    });
  }

  signatureFailure(provider: string, reason: VerifyFailureReason): void {
    this.signatureFailures.inc({ provider, reason });
  }
}
