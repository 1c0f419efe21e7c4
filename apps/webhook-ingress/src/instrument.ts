import { startTelemetry } from '@orch/platform/telemetry';

startTelemetry('webhook-ingress');
