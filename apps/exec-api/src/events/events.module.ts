import { Logger, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { EventHub } from '@orch/execution';
import { APP_CONFIG, REDIS_CLIENT } from '@orch/platform';
import type { ExecApiConfig } from '../config';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

/**
 * GET /v1/events and the SSE stream GET /v1/events/stream (issue 6). One Redis subscriber
 * connection per process (the EventHub), opened at the first stream and shared by all.
 */
@Module({
  controllers: [EventsController],
  providers: [
    {
      provide: EventHub,
      inject: [REDIS_CLIENT, APP_CONFIG],
      useFactory: (redis: Redis, config: ExecApiConfig) => {
        // ioredis does not prefix channels; the hub adds REDIS_KEY_PREFIX itself, as announceEvents does.
        const subscriber = redis.duplicate({ keyPrefix: '', lazyConnect: true, enableAutoPipelining: false });
        const logger = new Logger(EventHub.name);
        let lastErrorLog = 0;
        subscriber.on('error', (error: Error) => {
          const now = Date.now();
          if (now - lastErrorLog > 10_000) {
            lastErrorLog = now;
            logger.warn(`Redis subscriber connection problem: ${error.message}`);
          }
        });
        return new EventHub(subscriber, config.REDIS_KEY_PREFIX, logger);
      },
    },
    EventsService,
  ],
})
export class EventsModule {}
