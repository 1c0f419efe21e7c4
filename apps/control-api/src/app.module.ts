import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, CONTROL_AUDIENCE } from '@orch/auth';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import { JobQueueModule } from '@orch/execution';
import { AuditModule } from './audit/audit.module';
import { BundlesModule } from './bundles/bundles.module';
import { ConfigsModule } from './configs/configs.module';
import { ConnectorsModule } from './connectors/connectors.module';
import { CONTROL_API_CONFIG, type ControlApiConfig } from './config';
import { IdentitiesModule } from './identities/identities.module';
import { ImpersonationModule } from './impersonation/impersonation.module';
import { JwksModule } from './jwks/jwks.module';
import { OperatorsModule } from './operators/operators.module';
import { PoliciesModule } from './policies/policies.module';
import { SecretsModule } from './secrets/secrets.module';
import { DlqModule } from './dlq/dlq.module';
import { WebhookInboxModule } from './webhook-inbox/webhook-inbox.module';
import { WebhookRoutesModule } from './webhook-routes/webhook-routes.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

// Defined beside the config class so feature modules can inject it without importing this module (a cycle).
export { CONTROL_API_CONFIG };

@Module({})
export class AppModule {
  static forRoot(config: ControlApiConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({ serviceName: 'control-api', config }),
        DataModule.forRoot({ url: config.DATABASE_URL }),
        AuthModule.forIssuer({
          mode: config.AUTH_MODE,
          issuer: config.ORCH_JWT_ISSUER,
          audience: CONTROL_AUDIENCE,
          keysDir: config.ORCH_JWT_KEYS_DIR,
          activeKid: config.ORCH_JWT_ACTIVE_KID,
          generateKeys: config.ORCH_ENV !== 'prod',
        }),
        JwksModule,
        OperatorsModule,
        WorkspacesModule,
        IdentitiesModule,
        AuditModule,
        ImpersonationModule,
        PoliciesModule,
        SecretsModule,
        ConnectorsModule,
        ConfigsModule,
        WebhookRoutesModule,
        BundlesModule,
        // DLQ replay and webhook inbox retries put work back on the queues.
        JobQueueModule.forRoot({ redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX }),
        DlqModule,
        WebhookInboxModule,
      ],
      providers: [{ provide: CONTROL_API_CONFIG, useValue: config }],
      exports: [CONTROL_API_CONFIG],
    };
  }
}
