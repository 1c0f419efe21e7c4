import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dropDatabase, withDatabaseName } from '../database/database-admin';
import { MIGRATIONS } from '../migrations';

const MIGRATION_NAMES = MIGRATIONS.map((migration) => migration.name);

const run = promisify(execFile);
const workspaceRoot = join(__dirname, '../../../..');
const adminUrl = process.env['TEST_DATABASE_ADMIN_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs the CLI exactly as the root db:* scripts do. */
async function db(command: string, databaseUrl: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'libs/data/src/cli/db.ts', command], {
    cwd: workspaceRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, SWC_NODE_PROJECT: 'tsconfig.base.json' },
  });
  return stdout;
}

describe('db CLI', () => {
  const name = `orch_test_cli_${randomBytes(6).toString('hex')}`;
  const url = withDatabaseName(adminUrl, name);

  afterAll(async () => {
    await dropDatabase(adminUrl, name);
  });

  it('creates, migrates, seeds idempotently and reverts, one line per action', async () => {
    expect(await db('create', url)).toBe(`database ${name}: created\n`);
    expect(await db('create', url)).toBe(`database ${name}: exists\n`);
    expect(await db('migrate', url)).toBe(MIGRATION_NAMES.map((m) => `migration ${m}: applied\n`).join(''));
    expect(await db('migrate', url)).toBe(`database ${name}: no pending migrations\n`);
    expect(await db('seed', url)).toBe(
      'workspace demo-dev: created\npolicy demo-dev/default: created\nconnector demo-dev/demo-upstream: created\nconfig demo-dev/app-settings v1: created\nconfig demo-dev/app-settings active: created\n',
    );
    expect(await db('seed', url)).toBe(
      'workspace demo-dev: exists\npolicy demo-dev/default: exists\nconnector demo-dev/demo-upstream: exists\nconfig demo-dev/app-settings v1: exists\nconfig demo-dev/app-settings active: exists\n',
    );
    expect(await db('revert', url)).toBe(`migration ${MIGRATION_NAMES.at(-1)}: reverted\n`);
  }, 60_000);

  it('names the usage on an unknown command and exits 2', async () => {
    await expect(db('drop-everything', url)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage: db.ts <create|migrate|revert|seed>') });
  });
});
