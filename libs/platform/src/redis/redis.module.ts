import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ReadinessRegistry } from '../health/readiness.registry';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export interface RedisModuleOptions {
  url: string;
  keyPrefix: string;
}

/** ioredis options shared by every connection we open (app client, BullMQ, tests). */
export function redisConnectionOptions(url: string): { host: string; port: number; username?: string; password?: string; db: number; tls?: object } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number(parsed.pathname.replace('/', '') || 0),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

export function createRedisClient(options: RedisModuleOptions): Redis {
  const client = new Redis({
    ...redisConnectionOptions(options.url),
    keyPrefix: options.keyPrefix,
    // Fail a command fast when Redis is away instead of queueing it for ever.
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // On shutdown, do not hold the process for ioredis' default 2 s waiting for a dead socket.
    disconnectTimeout: 200,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Commands issued in the same event-loop tick (concurrent requests) leave in one write:
    // fewer syscalls on the hot path, same ordering per connection.
    enableAutoPipelining: true,
  });
  // Until the owner attaches its own listener, connection errors must not surface as
  // "Unhandled error event" (ioredis emits one per reconnect attempt).
  client.on('error', () => undefined);
  return client;
}

@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private lastErrorLog = 0;

  constructor(
    @Inject(REDIS_CLIENT) private readonly client: Redis,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.client.on('error', (error: Error) => {
      // ioredis emits on every reconnect attempt; one line per 10 s is enough to see it.
      const now = Date.now();
      if (now - this.lastErrorLog > 10_000) {
        this.lastErrorLog = now;
        this.logger.warn(`Redis connection problem: ${error.message}`);
      }
    });
    this.readiness.register('redis', async () => {
      await this.client.ping();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // QUIT only makes sense on a live connection; on a reconnecting one it would wait for ever.
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_CLIENT, useFactory: () => createRedisClient(options) }, RedisLifecycle],
      exports: [REDIS_CLIENT],
    };
  }
}
