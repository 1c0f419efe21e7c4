// Telemetry first: it must patch http, fastify, pg and ioredis before they load.
import './instrument';
import { runApp } from '@orch/platform';
import { workerApp } from './app.definition';

void runApp(workerApp);
