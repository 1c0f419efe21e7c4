import { loadKeyRing } from '@orch/auth';
import type { AppDefinition } from '@orch/platform';
import { MasterKeyring, preflightMasterKeys } from '@orch/secrets';
import { AppModule } from './app.module';
import { ControlApiConfig } from './config';

export const controlApiApp: AppDefinition<ControlApiConfig> = {
  serviceName: 'control-api',
  description: 'Control plane: workspaces, operators and RBAC, service identities and tokens, connectors, policies, secrets, configs, webhook routes, bundles, audit, DLQ and inbox admin.',
  configClass: ControlApiConfig,
  port: (config) => config.CONTROL_API_PORT,
  module: (config) => AppModule.forRoot(config),
  // Signing keys are checked before anything starts: prod never runs on generated keys. The
  // master keys must open the vault's stored envelopes: a wrong key refuses to start.
  preflight: async (config, log) => {
    loadKeyRing({ dir: config.ORCH_JWT_KEYS_DIR, activeKid: config.ORCH_JWT_ACTIVE_KID, generateIfEmpty: config.ORCH_ENV !== 'prod' });
    const checked = await preflightMasterKeys(config.DATABASE_URL, MasterKeyring.fromEnv(config.ORCH_MASTER_KEY, config.ORCH_MASTER_KEYS_PREVIOUS));
    log.info(checked.skipped ? 'master key check skipped: the database has no schema yet' : `master key check passed (key ids in use: ${checked.checkedKeyIds.join(', ') || 'none'})`);
  },
};
