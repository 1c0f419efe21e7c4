import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * A CTE that makes a single statement's own transaction commit without waiting for the WAL
 * flush (D68); the statement references it (`CROSS JOIN no_wal_wait`) so that it runs. Only for
 * writes whose loss in a Postgres crash is harmless — never inside a caller's transaction, where
 * it would apply to the whole transaction.
 */
export const NO_WAL_WAIT_CTE = "no_wal_wait AS (SELECT set_config('synchronous_commit', 'off', true))";

/** Where a statement runs: the DataSource (a pooled connection), or an EntityManager inside the caller's transaction. */
export type SqlExecutor = DataSource | EntityManager;

export interface PreparedResult<R> {
  rows: R[];
  /** Rows the statement changed or returned (pg's rowCount; 0 when it reports none). */
  rowCount: number;
}

/** The subset of pg's Client these statements use (TypeORM types its driver as `any`). */
interface PgClient {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(text: string): Promise<unknown>;
  connection?: { parsedStatements?: Record<string, string> };
  release?(error?: Error): void;
}

interface PgPool {
  connect(): Promise<PgClient>;
}

const names = new Map<string, string>();

/** A statement's name, derived from its text: the same text is the same prepared statement on every connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `orch_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** Postgres refuses a prepared statement whose result columns changed under it (a migration added one): replan once. */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '0A000' && String((error as Error).message).includes('cached plan must not change result type');
}

async function runNamed<R>(client: PgClient, text: string, values: readonly unknown[]): Promise<PreparedResult<R>> {
  const name = statementName(text);
  try {
    const result = await client.query({ name, text, values });
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  } catch (error) {
    if (!isStalePlan(error)) throw error;
    await client.query(`DEALLOCATE ${name}`);
    if (client.connection?.parsedStatements) delete client.connection.parsedStatements[name];
    const result = await client.query({ name, text, values });
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }
}

/**
 * Runs a hot statement as a *named* prepared statement (pg parses and plans it once per
 * connection, then only binds), instead of TypeORM's query(), which sends every statement
 * unnamed — parsed and planned on each call. Measured on the jobs path's claim and transition
 * statements: about 40 % of their Postgres CPU was planning (D67). For statements run per job or
 * per request with a fixed text; results are pg's raw rows, as TypeORM's query() gives them.
 */
export async function queryPrepared<R = Record<string, unknown>>(executor: SqlExecutor, text: string, values: readonly unknown[]): Promise<PreparedResult<R>> {
  const manager = executor instanceof DataSource ? undefined : executor;
  if (manager?.queryRunner && !manager.queryRunner.isReleased) {
    // The transaction's own connection: the statement is part of it.
    return runNamed<R>((await manager.queryRunner.connect()) as PgClient, text, values);
  }
  const dataSource = manager?.connection ?? (executor as DataSource);
  const pool = (dataSource.driver as unknown as { master: PgPool }).master;
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    return await runNamed<R>(client, text, values);
  } catch (error) {
    // A server error (pg DatabaseError, with a severity) leaves the connection usable; anything else may not have.
    if (!(error !== null && typeof error === 'object' && 'severity' in error)) failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release?.(failure);
  }
}
