import { startTelemetry } from '@orch/platform/telemetry';

startTelemetry('operator-console');
