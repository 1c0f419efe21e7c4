import { type DynamicModule, Module } from '@nestjs/common';
import { DataModule } from '@orch/data';
import { ExecutionModule, JobQueueModule } from '@orch/execution';
import { PlatformModule } from '@orch/platform';
import { CallbacksModule } from './callbacks/callbacks.module';
import { WORKER_CONFIG, type WorkerConfig } from './config';
import { JobsModule } from './jobs/jobs.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { QueuesModule } from './queues/queues.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({ serviceName: 'worker', config }),
        DataModule.forRoot({ url: config.DATABASE_URL }),
        QueuesModule.forRoot({ redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX }),
        ExecutionModule.forRoot({
          masterKey: config.ORCH_MASTER_KEY,
          redisKeyPrefix: config.REDIS_KEY_PREFIX,
          ...(config.ORCH_MASTER_KEYS_PREVIOUS ? { previousMasterKeys: config.ORCH_MASTER_KEYS_PREVIOUS } : {}),
          ...(config.EGRESS_ALLOW_CIDRS ? { egressAllowCidrs: config.EGRESS_ALLOW_CIDRS } : {}),
          catalogCacheMs: config.EXEC_CATALOG_CACHE_MS,
        }),
        JobQueueModule.forRoot({ redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX }),
        MaintenanceModule.forRoot({ idempotencyPurgeEveryMs: config.IDEMPOTENCY_PURGE_EVERY_MS }),
        JobsModule,
        CallbacksModule,
        WebhooksModule,
      ],
      providers: [{ provide: WORKER_CONFIG, useValue: config }],
      exports: [WORKER_CONFIG],
    };
  }
}
