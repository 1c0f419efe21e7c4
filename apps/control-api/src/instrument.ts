import { startTelemetry } from '@orch/platform/telemetry';

startTelemetry('control-api');
