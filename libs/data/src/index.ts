// TypeORM entities, explicit migrations, data source, tenant-scoped repositories.
export * from './entities';
export { MIGRATIONS } from './migrations';
export {
  MIGRATIONS_TABLE,
  createDataSourceOptions,
  revertAllMigrations,
  revertLastMigration,
  runMigrations,
  type DataSourceConfig,
} from './data-source';
export {
  createDatabase,
  createScratchDatabase,
  databaseNameOf,
  dropDatabase,
  withDatabaseName,
  type ScratchDatabase,
} from './database/database-admin';
export { DataModule } from './data.module';
export * from './repositories/tenant-scoped.repository';
export { DEFAULT_POLICY, type PolicyDefinition } from './seed/default-policy';
export { DEMO_CONFIG_NAME, DEMO_CONNECTOR_NAME, DEMO_UPSTREAM_URL, DEMO_WORKSPACE_NAME, seedDemo, type SeedAction, type SeedDemoOptions } from './seed/seed-demo';
export { NO_WAL_WAIT_CTE, queryPrepared, type PreparedResult, type SqlExecutor } from './util/prepared-query';
