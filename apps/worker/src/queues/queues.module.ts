import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { bullPrefix, QUEUE_NAMES } from '@orch/contracts';
import { redisConnectionOptions } from '@orch/platform';
import { QueueMetrics } from './queue-metrics';

/** The BullMQ connection and every queue; processors arrive with the issues that need them. */
@Module({})
export class QueuesModule {
  static forRoot(options: { redisUrl: string; redisKeyPrefix: string }): DynamicModule {
    return {
      module: QueuesModule,
      // Global: processor modules inject their queue without re-registering it.
      global: true,
      imports: [
        BullModule.forRoot({
          // BullMQ workers block on Redis; they must retry for ever, not fail the command.
          connection: { ...redisConnectionOptions(options.redisUrl), maxRetriesPerRequest: null },
          prefix: bullPrefix(options.redisKeyPrefix),
        }),
        ...QUEUE_NAMES.map((name) => BullModule.registerQueue({ name })),
      ],
      providers: [QueueMetrics],
      exports: [BullModule],
    };
  }
}
