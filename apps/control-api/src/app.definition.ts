import { loadKeyRing } from '@orch/auth';
import type { AppDefinition } from '@orch/platform';
import { AppModule } from './app.module';
import { ControlApiConfig } from './config';

export const controlApiApp: AppDefinition<ControlApiConfig> = {
  serviceName: 'control-api',
  description: 'Control plane: workspaces, operators and RBAC, service identities and tokens, connectors, policies, secrets, configs, webhook routes, bundles, audit, DLQ and inbox admin.',
  configClass: ControlApiConfig,
  port: (config) => config.CONTROL_API_PORT,
  module: (config) => AppModule.forRoot(config),
  // Signing keys are checked before anything starts: prod never runs on generated keys.
  preflight: async (config) => {
    loadKeyRing({ dir: config.ORCH_JWT_KEYS_DIR, activeKid: config.ORCH_JWT_ACTIVE_KID, generateIfEmpty: config.ORCH_ENV !== 'prod' });
  },
};
