import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from './config';
import { addSecurityHeaders } from './http/security-headers';
import { serveSpa } from './spa/serve-spa';

/** The BFF's additions to the platform's Fastify: security headers everywhere, and the SPA. */
export async function configureConsoleFastify(app: NestFastifyApplication): Promise<void> {
  const config = app.get<ConsoleConfig>(APP_CONFIG);
  const fastify = app.getHttpAdapter().getInstance();
  addSecurityHeaders(fastify);
  await serveSpa(fastify, config.CONSOLE_SPA_DIR);
}
