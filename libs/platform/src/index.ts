// Validated config, pino logging, request ids, the error envelope filter, health/ready,
// metrics, OpenAPI and the Redis client. OpenTelemetry lives at '@orch/platform/telemetry'
// so it can load before everything else.
export * from './config/base-config';
export * from './config/config-error';
export * from './config/load-config';
export * from './config/secret.decorator';
export * from './health/health.controller';
export * from './health/readiness.registry';
export * from './http/create-http-app';
export * from './http/error-response';
export * from './http/exception-filter';
export * from './http/request-id';
export * from './http/validation-pipe';
export * from './logging/logger.module';
export * from './logging/redaction';
export * from './metrics/metrics.service';
export * from './platform.module';
export * from './redis/redis.module';
export * from './run-app';
export * from './redis/eviction-policy';
export * from './http/platform-route.decorator';
export * from './batching/micro-batcher';
export * from './runtime/async-resource-bind';
