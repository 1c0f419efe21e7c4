import * as pg from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { DATA_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DataSourceConfig {
  /** postgres://user:password@host:port/database */
  url: string;
  logging?: boolean;
  /** Upper bound of pooled connections per process (pg's default is 10). */
  poolSize?: number;
  /** Shown in pg_stat_activity, so a connection can be traced to its app. */
  applicationName?: string;
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/** A connect that hangs (host down, packets dropped) fails after this instead of blocking boot. */
const CONNECT_TIMEOUT_MS = 5_000;

export function createDataSourceOptions(config: DataSourceConfig): PostgresConnectionOptions {
  return {
    type: 'postgres',
    // Handed over explicitly: TypeORM would require('pg') by name at run time, which bundlers
    // (and the generated package.json of each app) cannot see.
    driver: pg,
    url: config.url,
    entities: [...DATA_ENTITIES],
    migrations: [...MIGRATIONS],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    // The schema belongs to the migrations alone (CONVENTIONS: never synchronize).
    synchronize: false,
    // gen_random_uuid() is built in since Postgres 13; no extension to create.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // `{ id: undefined }` would otherwise drop the condition and match every row.
    invalidWhereValuesBehavior: { undefined: 'throw', null: 'throw' },
    logging: config.logging ?? false,
    poolSize: config.poolSize,
    applicationName: config.applicationName,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
  };
}

/*
 * Migrations take a session-level advisory lock on a connection of their own, so two
 * deploys (or app replicas) migrating at once run one after the other. Advisory locks are
 * per database, so separate test databases never wait on each other.
 */
const MIGRATION_LOCK_KEY = 7_301_966_455_021;

async function withDataSource<T>(url: string, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  // Two connections: one holds the advisory lock, one runs the migrations.
  const dataSource = new DataSource(createDataSourceOptions({ url, applicationName: 'orch-migrations', poolSize: 2 }));
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
  }
}

/** Runs every pending migration (each in its own transaction); returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  return withDataSource(url, (dataSource) =>
    withMigrationLock(dataSource, async () => {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    }),
  );
}

async function executedMigrationNames(dataSource: DataSource): Promise<string[]> {
  const [{ exists }] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS exists', [MIGRATIONS_TABLE])) as Array<{
    exists: boolean;
  }>;
  if (!exists) return [];
  const rows = (await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY timestamp DESC, id DESC`)) as Array<{
    name: string;
  }>;
  return rows.map((row) => row.name);
}

/** Reverts the most recent migration; returns its name, or null when none was applied. */
export async function revertLastMigration(url: string): Promise<string | null> {
  return withDataSource(url, (dataSource) =>
    withMigrationLock(dataSource, async () => {
      const [last] = await executedMigrationNames(dataSource);
      if (last === undefined) return null;
      await dataSource.undoLastMigration({ transaction: 'each' });
      return last;
    }),
  );
}

/** Reverts every applied migration, newest first; returns the names reverted. */
export async function revertAllMigrations(url: string): Promise<string[]> {
  return withDataSource(url, (dataSource) =>
    withMigrationLock(dataSource, async () => {
      const executed = await executedMigrationNames(dataSource);
      for (let i = 0; i < executed.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      return executed;
    }),
  );
}
