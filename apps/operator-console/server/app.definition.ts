import { access } from 'node:fs/promises';
import type { AppDefinition } from '@orch/platform';
import { AppModule } from './app.module';
import { ConsoleConfig } from './config';
import { configureConsoleFastify } from './configure-fastify';
import { spaIndexPath } from './spa/serve-spa';

export const consoleApp: AppDefinition<ConsoleConfig> = {
  serviceName: 'operator-console',
  description: 'Operator console BFF: serves the console SPA and answers its /api/bff calls.',
  configClass: ConsoleConfig,
  port: (config) => config.CONSOLE_PORT,
  module: (config) => AppModule.forRoot(config),
  preflight: async (config) => {
    // A console without its SPA would answer every page with 404: refuse instead.
    const index = spaIndexPath(config.CONSOLE_SPA_DIR);
    try {
      await access(index);
    } catch {
      throw new Error(`CONSOLE_SPA_DIR: ${index} does not exist (build the SPA: npx nx build-spa operator-console)`);
    }
  },
  configureFastify: configureConsoleFastify,
};
