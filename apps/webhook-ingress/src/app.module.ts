import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, EXEC_AUDIENCE } from '@orch/auth';
import { DataModule } from '@orch/data';
import { JobQueueModule } from '@orch/execution';
import { PlatformModule } from '@orch/platform';
import type { WebhookIngressConfig } from './config';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: WebhookIngressConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'webhook-ingress', config }),
        DataModule.forRoot({ url: config.DATABASE_URL }),
        AuthModule.forVerifier({ mode: config.AUTH_MODE, issuer: config.ORCH_JWT_ISSUER, audience: EXEC_AUDIENCE, jwksUrl: config.ORCH_JWKS_URL }),
        JobQueueModule.forRoot({ redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX }),
        WebhooksModule.forRoot(
          {
            masterKey: config.ORCH_MASTER_KEY,
            ...(config.ORCH_MASTER_KEYS_PREVIOUS ? { previousMasterKeys: config.ORCH_MASTER_KEYS_PREVIOUS } : {}),
          },
          { routeCacheMs: config.WEBHOOK_ROUTE_CACHE_MS },
        ),
      ],
    };
  }
}
