import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from './config';
import { addConsoleGate } from './gate/console-gate';
import { addSecurityHeaders } from './http/security-headers';
import { serveSpa } from './spa/serve-spa';

/** The BFF's additions to the platform's Fastify: security headers everywhere, the optional gate, and the SPA. */
export async function configureConsoleFastify(app: NestFastifyApplication): Promise<void> {
  const config = app.get<ConsoleConfig>(APP_CONFIG);
  const fastify = app.getHttpAdapter().getInstance();
  addSecurityHeaders(fastify);
  // Before the SPA and every route: refused requests see nothing of the console.
  addConsoleGate(fastify, { allowCidrs: config.CONSOLE_ALLOW_CIDRS, basicAuth: config.CONSOLE_BASIC_AUTH, trustProxy: config.CONSOLE_GATE_TRUST_PROXY });
  await serveSpa(fastify, config.CONSOLE_SPA_DIR);
}
