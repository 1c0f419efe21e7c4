import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { BaseConfig } from './config/base-config';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { PlatformLoggerModule } from './logging/logger.module';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { RedisModule } from './redis/redis.module';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

export interface PlatformModuleOptions {
  serviceName: string;
  config: BaseConfig;
}

/**
 * What every app has: its validated config, logging, /health, /ready, /metrics and a Redis
 * client. Data access is added by the app (DataModule) and registers its own readiness check.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot({ serviceName, config }: PlatformModuleOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        PlatformLoggerModule.forRoot(config, serviceName),
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: serviceName },
        { provide: MetricsService, useFactory: () => new MetricsService(serviceName) },
        ReadinessRegistry,
      ],
      exports: [APP_CONFIG, SERVICE_NAME, MetricsService, ReadinessRegistry, RedisModule, PlatformLoggerModule],
    };
  }
}
