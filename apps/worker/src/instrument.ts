import { startTelemetry } from '@orch/platform/telemetry';

startTelemetry('worker');
