// Telemetry first: it must patch http, fastify, pg and ioredis before they load.
import './instrument';
import { runApp } from '@orch/platform';
import { controlApiApp } from './app.definition';

void runApp(controlApiApp);
