import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule, EXEC_AUDIENCE } from '@orch/auth';
import { DataModule } from '@orch/data';
import { ExecutionModule, JobQueueModule } from '@orch/execution';
import { PlatformModule } from '@orch/platform';
import { EXEC_API_CONFIG, type ExecApiConfig } from './config';
import { EventsModule } from './events/events.module';
import { ExecuteModule } from './execute/execute.module';
import { JobsModule } from './jobs/jobs.module';
import { RequestLogHook } from './request-log/request-log.hook';
import { WhoamiController } from './whoami/whoami.controller';

@Module({})
export class AppModule {
  static forRoot(config: ExecApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'exec-api', config }),
        DataModule.forRoot({ url: config.DATABASE_URL }),
        AuthModule.forVerifier({ mode: config.AUTH_MODE, issuer: config.ORCH_JWT_ISSUER, audience: EXEC_AUDIENCE, jwksUrl: config.ORCH_JWKS_URL }),
        ExecutionModule.forRoot({
          masterKey: config.ORCH_MASTER_KEY,
          redisKeyPrefix: config.REDIS_KEY_PREFIX,
          ...(config.ORCH_MASTER_KEYS_PREVIOUS ? { previousMasterKeys: config.ORCH_MASTER_KEYS_PREVIOUS } : {}),
          ...(config.EGRESS_ALLOW_CIDRS ? { egressAllowCidrs: config.EGRESS_ALLOW_CIDRS } : {}),
          catalogCacheMs: config.EXEC_CATALOG_CACHE_MS,
          maxResponseBytes: config.EXEC_MAX_RESPONSE_BYTES,
          idempotencyLeaseMs: config.IDEMPOTENCY_LEASE_MS,
        }),
        JobQueueModule.forRoot({ redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX }),
        ExecuteModule,
        JobsModule,
        EventsModule,
      ],
      controllers: [WhoamiController],
      providers: [{ provide: EXEC_API_CONFIG, useValue: config }, RequestLogHook],
    };
  }
}
