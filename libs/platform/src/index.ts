// Validated config, pino logging, request ids, exception filter, health/ready, metrics, OpenAPI, OpenTelemetry bootstrap, Redis client.
