// Telemetry first: it must patch http, fastify, undici and ioredis before they load.
import './instrument';
import { runApp } from '@orch/platform';
import { consoleApp } from './app.definition';

void runApp(consoleApp);
