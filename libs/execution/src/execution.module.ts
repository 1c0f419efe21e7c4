import { type BeforeApplicationShutdown, type DynamicModule, Injectable, Logger, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ConnectorRuntimes, ConnectorTypeRegistry, EgressPolicy, SchemaValidator } from '@orch/connectors';
import { MetricsService, REDIS_CLIENT } from '@orch/platform';
import { RedisAdmission, RedisCircuitBreakerStore } from '@orch/policy';
import { SecretResolver, SecretsCoreModule } from '@orch/secrets';
import { ConnectorCatalog } from './execution/connector-catalog';
import { ExecutionMetrics } from './execution/execution-metrics';
import { ExecutionService } from './execution/execution.service';
import { announceEvents } from './events/event-announcer';
import { IdempotencyService } from './idempotency/idempotency.service';
import { RecordWriter } from './records/record-writer';

export interface ExecutionModuleOptions {
  /** REDIS_KEY_PREFIX: also prefixes the event fan-out channels (ioredis does not prefix channels). */
  redisKeyPrefix?: string;
  /** ORCH_MASTER_KEY / ORCH_MASTER_KEYS_PREVIOUS: secrets are resolved at call time. */
  masterKey: string;
  previousMasterKeys?: string;
  /** EGRESS_ALLOW_CIDRS: ranges outbound calls may reach although the guard refuses them by default. */
  egressAllowCidrs?: string;
  /** See ConnectorCatalogOptions.cacheMs. */
  catalogCacheMs?: number;
  maxResponseBytes?: number;
  idempotencyLeaseMs?: number;
}

const executionLogger = new Logger(ExecutionService.name);

/**
 * Waits for the closing scripts sent in the background, flushes buffered records and closes
 * pooled upstream connections when the app stops — before the shutdown phase, in which TypeORM
 * and Redis close their connections (a flush then would lose the rows).
 */
@Injectable()
class ExecutionLifecycle implements BeforeApplicationShutdown {
  constructor(
    private readonly execution: ExecutionService,
    private readonly records: RecordWriter,
    private readonly runtimes: ConnectorRuntimes,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.execution.settled();
    await this.records.close();
    await this.runtimes.close();
  }
}

/**
 * The execution plane as Nest providers (needs PlatformModule and DataModule), global:
 * ExecutionService, IdempotencyService and the RecordWriter, for exec-api and the worker alike.
 */
@Module({})
export class ExecutionModule {
  static forRoot(options: ExecutionModuleOptions): DynamicModule {
    return {
      module: ExecutionModule,
      global: true,
      imports: [SecretsCoreModule.forRoot({ masterKey: options.masterKey, ...(options.previousMasterKeys ? { previousMasterKeys: options.previousMasterKeys } : {}) })],
      providers: [
        { provide: ConnectorTypeRegistry, useFactory: () => new ConnectorTypeRegistry() },
        { provide: ConnectorRuntimes, useFactory: () => new ConnectorRuntimes({ policy: new EgressPolicy(options.egressAllowCidrs ?? '') }) },
        {
          provide: RecordWriter,
          inject: [DataSource, REDIS_CLIENT],
          useFactory: (dataSource: DataSource, redis: Redis) => {
            const writer = new RecordWriter(dataSource);
            // Committed events go to every replica's SSE listeners.
            writer.onEventsWritten((events) => announceEvents(redis, events, options.redisKeyPrefix ?? ''));
            return writer;
          },
        },
        {
          provide: IdempotencyService,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new IdempotencyService(dataSource, options.idempotencyLeaseMs === undefined ? {} : { leaseMs: options.idempotencyLeaseMs }),
        },
        {
          provide: ExecutionService,
          inject: [DataSource, REDIS_CLIENT, ConnectorTypeRegistry, ConnectorRuntimes, SecretResolver, RecordWriter, MetricsService],
          useFactory: (dataSource: DataSource, redis: Redis, registry: ConnectorTypeRegistry, runtimes: ConnectorRuntimes, secrets: SecretResolver, records: RecordWriter, metrics: MetricsService) =>
            new ExecutionService({
              catalog: new ConnectorCatalog(dataSource, registry, options.catalogCacheMs === undefined ? {} : { cacheMs: options.catalogCacheMs }),
              validator: new SchemaValidator(),
              runtimes,
              secrets,
              admission: new RedisAdmission(redis),
              breakers: new RedisCircuitBreakerStore(redis),
              events: records,
              metrics: new ExecutionMetrics(metrics.registry),
              onBackgroundError: (error) => executionLogger.warn(`closing an execution in Redis failed (its lease expires by itself): ${error instanceof Error ? error.message : String(error)}`),
              ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
            }),
        },
        ExecutionLifecycle,
      ],
      exports: [ExecutionService, IdempotencyService, RecordWriter],
    };
  }
}
