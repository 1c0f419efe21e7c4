import { type DynamicModule, Module } from '@nestjs/common';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import type { WorkerConfig } from './config';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { QueuesModule } from './queues/queues.module';

@Module({})
export class AppModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'worker', config }),
        DataModule.forRoot({ url: config.DATABASE_URL }),
        QueuesModule.forRoot({ redisUrl: config.REDIS_URL, redisKeyPrefix: config.REDIS_KEY_PREFIX }),
        MaintenanceModule.forRoot({ idempotencyPurgeEveryMs: config.IDEMPOTENCY_PURGE_EVERY_MS }),
      ],
    };
  }
}
