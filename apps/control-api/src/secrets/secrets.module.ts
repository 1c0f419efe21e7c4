import { Module } from '@nestjs/common';
import { SecretsCoreModule } from '@orch/secrets';
import { CONTROL_API_CONFIG, type ControlApiConfig } from '../config';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { SecretRefsController } from './secret-refs.controller';
import { SecretsController } from './secrets.controller';
import { SecretsService } from './secrets.service';

/** Secret refs (env://, vault://) and the write-only vault. Exports the resolver for connectors and webhook routes. */
@Module({
  imports: [
    WorkspacesModule,
    SecretsCoreModule.forRootAsync({
      inject: [CONTROL_API_CONFIG],
      useFactory: (config: ControlApiConfig) => ({ masterKey: config.ORCH_MASTER_KEY, previousMasterKeys: config.ORCH_MASTER_KEYS_PREVIOUS }),
    }),
  ],
  controllers: [SecretRefsController, SecretsController],
  providers: [SecretsService],
  exports: [SecretsCoreModule],
})
export class SecretsModule {}
