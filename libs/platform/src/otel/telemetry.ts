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

/**
 * Starts tracing when there is somewhere to send it: with OTEL_EXPORTER_OTLP_ENDPOINT set,
 * spans go over OTLP/HTTP (sampling per OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, default
 * every request). Without it the SDK is not started at all: instrumentation costs CPU on every
 * request and every Redis/Postgres call even when nothing is sampled (measured: about a fifth of
 * exec-api's time), and logs still carry the trace id of an incoming `traceparent` (the logger
 * reads it itself). Only local resource detectors are used: the cloud ones would probe metadata
 * addresses.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (sdk || env['OTEL_SDK_DISABLED'] === 'true' || !endpoint) return;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? serviceName }),
    resourceDetectors: [envDetector, processDetector, hostDetector],
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
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
