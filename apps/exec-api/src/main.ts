// Telemetry first: it must patch http, fastify, pg and ioredis before they load.
import './instrument';
import { runApp } from '@orch/platform';
import { execApiApp } from './app.definition';

void runApp(execApiApp);
