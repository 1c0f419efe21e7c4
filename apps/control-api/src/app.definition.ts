import type { AppDefinition } from '@orch/platform';
import { AppModule } from './app.module';
import { ControlApiConfig } from './config';

export const controlApiApp: AppDefinition<ControlApiConfig> = {
  serviceName: 'control-api',
  description: 'Control plane: workspaces, operators and RBAC, service identities and tokens, connectors, policies, secrets, configs, webhook routes, bundles, audit, DLQ and inbox admin.',
  configClass: ControlApiConfig,
  port: (config) => config.CONTROL_API_PORT,
  module: (config) => AppModule.forRoot(config),
};
