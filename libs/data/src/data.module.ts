import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReadinessRegistry } from '@orch/platform';
import { createDataSourceOptions, type DataSourceConfig } from './data-source';

/*
 * Nest keeps retrying a failed first connection (default 9 times, 3 s apart); a process that
 * cannot reach Postgres should instead fail fast and let its supervisor restart it.
 */
const RETRY_ATTEMPTS = 3;
const RETRY_DELAY_MS = 500;

/** Registers Postgres with /ready: a `SELECT 1` on the app's own pool. */
@Injectable()
class PostgresReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('postgres', async () => {
      if (!this.dataSource.isInitialized) throw new Error('not connected');
      await this.dataSource.query('SELECT 1');
    });
  }
}

/**
 * The app's TypeORM connection, global so any module can inject `DataSource` or use
 * `TypeOrmModule.forFeature`. Migrations are not run here: `db:migrate` does that before
 * the apps start. Needs PlatformModule (for the readiness registry) in the same app.
 */
@Module({})
export class DataModule {
  static forRoot(config: DataSourceConfig): DynamicModule {
    return {
      module: DataModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...createDataSourceOptions(config), retryAttempts: RETRY_ATTEMPTS, retryDelay: RETRY_DELAY_MS }),
        }),
      ],
      providers: [PostgresReadiness],
      exports: [TypeOrmModule],
    };
  }
}
