/*
 * Database commands for dev and deploy:
 *   node -r @swc-node/register libs/data/src/cli/db.ts <create|migrate|revert|seed>
 * (the root package.json scripts db:* set SWC_NODE_PROJECT so decorators and path aliases compile).
 * DATABASE_URL names the database; default postgres://postgres@127.0.0.1:5432/orchestrator_dev.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createDataSourceOptions, revertLastMigration, runMigrations } from '../data-source';
import { createDatabase, databaseNameOf, withDatabaseName } from '../database/database-admin';
import { seedDemo } from '../seed/seed-demo';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/orchestrator_dev';
const COMMANDS = ['create', 'migrate', 'revert', 'seed'] as const;
type Command = (typeof COMMANDS)[number];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function run(command: Command, url: string): Promise<void> {
  const database = databaseNameOf(url);
  switch (command) {
    case 'create': {
      const created = await createDatabase(withDatabaseName(url, 'postgres'), database);
      say(`database ${database}: ${created ? 'created' : 'exists'}`);
      return;
    }
    case 'migrate': {
      const applied = await runMigrations(url);
      for (const name of applied) say(`migration ${name}: applied`);
      if (applied.length === 0) say(`database ${database}: no pending migrations`);
      return;
    }
    case 'revert': {
      const reverted = await revertLastMigration(url);
      say(reverted ? `migration ${reverted}: reverted` : `database ${database}: no migration to revert`);
      return;
    }
    case 'seed': {
      const dataSource = await new DataSource(createDataSourceOptions({ url, applicationName: 'orch-seed' })).initialize();
      try {
        for (const action of await seedDemo(dataSource)) say(`${action.subject}: ${action.outcome}`);
      } finally {
        await dataSource.destroy();
      }
      return;
    }
  }
}

function isCommand(value: string | undefined): value is Command {
  return (COMMANDS as readonly string[]).includes(value ?? '');
}

async function main(): Promise<number> {
  const command = process.argv[2];
  if (!isCommand(command)) {
    console.error(`usage: db.ts <${COMMANDS.join('|')}>  (DATABASE_URL, default ${DEFAULT_DATABASE_URL})`);
    return 2;
  }
  try {
    await run(command, process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL);
    return 0;
  } catch (error) {
    // The message only: a stack or the URL could carry the database password.
    console.error(`db ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
