import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runMigrations } from '../data-source';

/** Database names this code creates or drops: plain identifiers, nothing to quote-escape. */
const SAFE_DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function assertSafeName(name: string): void {
  if (!SAFE_DATABASE_NAME.test(name)) throw new Error(`refusing database name "${name}": use lower-case letters, digits and _`);
}

/** The database named in a postgres:// URL. */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error('the database URL names no database');
  return name;
}

/** The same server and credentials, another database. */
export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function withClient<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `name` on the server of `adminUrl` (a URL of a database that exists, usually
 * `postgres`). Returns false when it already existed.
 */
export async function createDatabase(adminUrl: string, name: string): Promise<boolean> {
  assertSafeName(name);
  return withClient(adminUrl, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
      return true;
    } catch (error) {
      // Someone else created it between the check and the CREATE.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  });
}

/** Drops `name`, disconnecting its sessions first (Postgres 13+). A missing database is fine. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertSafeName(name);
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Disconnects whoever is still connected and drops the database. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A new database `<prefix><random hex>` on the server of `adminUrl`, with every migration
 * applied: what each e2e test file starts from.
 */
export async function createScratchDatabase(options: { adminUrl: string; prefix: string }): Promise<ScratchDatabase> {
  const name = `${options.prefix}${randomBytes(6).toString('hex')}`;
  const url = withDatabaseName(options.adminUrl, name);
  const drop = () => dropDatabase(options.adminUrl, name);
  await createDatabase(options.adminUrl, name);
  try {
    await runMigrations(url);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, drop };
}
