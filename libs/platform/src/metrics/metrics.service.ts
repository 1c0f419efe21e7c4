import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * One registry per app instance (not prom-client's global), so several apps in one test
 * process never clash. Libraries add their metrics to `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration: Histogram<'route' | 'method' | 'status_code'>;

  /** Error responses by stable error code (DESIGN §4), whatever produced them. */
  readonly errors: Counter<'code'>;

  constructor(serviceName: string) {
    this.registry.setDefaultLabels({ service: serviceName });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['route', 'method', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.errors = new Counter({ name: 'orch_errors_total', help: 'Error responses by stable error code', labelNames: ['code'], registers: [this.registry] });
  }

  observeError(code: string): void {
    this.errors.inc({ code });
  }

  observeHttp(route: string, method: string, statusCode: number, seconds: number): void {
    this.httpRequestDuration.observe({ route, method, status_code: String(statusCode) }, seconds);
  }
}
