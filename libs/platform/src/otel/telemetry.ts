/*
 * OpenTelemetry bootstrap. Imported by each app's instrument.ts, which main.ts imports
 * first, so http, fastify, pg, ioredis and bullmq are patched before anything loads them.
 * This file must not import the rest of @orch/platform (that would load Nest first).
 */
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/*
 * The SDK only installs a tracer provider when it has a span processor. Without an exporter we
 * still want real trace ids (for logs and propagation), so this one records nothing.
 */
const DISCARD_SPANS = {
  onStart: (): void => undefined,
  onEnd: (): void => undefined,
  forceFlush: async (): Promise<void> => undefined,
  shutdown: async (): Promise<void> => undefined,
};

/**
 * Starts tracing. Spans are exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set; otherwise the SDK still runs (so logs carry trace ids and traceparent is honoured)
 * but exports nothing and contacts nobody. Only local resource detectors are used: the cloud
 * ones would probe metadata addresses.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk || env['OTEL_SDK_DISABLED'] === 'true') return;
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? serviceName }),
    resourceDetectors: [envDetector, processDetector, hostDetector],
    ...(endpoint ? { traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }) } : { spanProcessors: [DISCARD_SPANS] }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      getNodeAutoInstrumentations({
        // File-system and DNS spans are noise at our scale.
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        // Our logger adds trace_id itself (also from a bare traceparent); two writers would duplicate the key.
        '@opentelemetry/instrumentation-pino': { enabled: false },
      }),
    ],
  });
  sdk.start();
  const shutdown = (): void => {
    void sdk?.shutdown().catch(() => undefined);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
