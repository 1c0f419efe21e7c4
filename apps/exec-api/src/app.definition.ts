import type { AppDefinition } from '@orch/platform';
import { AppModule } from './app.module';
import { ExecApiConfig } from './config';

export const execApiApp: AppDefinition<ExecApiConfig> = {
  serviceName: 'exec-api',
  description: 'Execution plane for product backends: /v1/execute, /v1/jobs, /v1/events and the SSE stream.',
  configClass: ExecApiConfig,
  port: (config) => config.EXEC_API_PORT,
  module: (config) => AppModule.forRoot(config),
};
