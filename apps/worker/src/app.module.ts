import { type DynamicModule, Module } from '@nestjs/common';
import { DataModule } from '@orch/data';
import { PlatformModule } from '@orch/platform';
import type { WorkerConfig } from './config';
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
      ],
    };
  }
}
