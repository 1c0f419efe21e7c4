import { startTelemetry } from '@orch/platform/telemetry';

startTelemetry('exec-api');
