import { DataSource } from 'typeorm';
import { createDataSourceOptions } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';
import { queryPrepared } from './prepared-query';

describe('queryPrepared', () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource(createDataSourceOptions({ url: database.url, applicationName: 'prepared-query-spec', poolSize: 2 }));
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE t');
  });

  it('runs a named statement on a pooled connection: rows, rowCount, and the plan prepared once per connection', async () => {
    const insert = 'INSERT INTO t (id, name) SELECT x, $2 || x FROM unnest($1::int[]) AS x RETURNING id';
    expect(await queryPrepared<{ id: number }>(dataSource, insert, [[1, 2, 3], 'n'])).toEqual({ rows: [{ id: 1 }, { id: 2 }, { id: 3 }], rowCount: 3 });
    for (let i = 0; i < 6; i++) await queryPrepared(dataSource, 'UPDATE t SET name = $2 WHERE id = $1', [1, `v${i}`]);
    expect(await queryPrepared(dataSource, 'UPDATE t SET name = $2 WHERE id = $1', [2, 'x'])).toEqual({ rows: [], rowCount: 1 });
    // Both pooled connections hold each statement at most once, under a name derived from its text.
    const prepared: Array<{ name: string; statement: string }> = await dataSource.query('SELECT name, statement FROM pg_prepared_statements');
    expect(prepared.filter((p) => p.statement.startsWith('UPDATE t SET name')).length).toBeLessThanOrEqual(1);
    expect((await dataSource.query('SELECT id, name FROM t ORDER BY id')) as unknown[]).toEqual([
      { id: 1, name: 'v5' },
      { id: 2, name: 'x' },
      { id: 3, name: 'n3' },
    ]);
  });

  it("inside a transaction it runs on the transaction's connection: it sees its uncommitted rows and rolls back with it", async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.query('INSERT INTO t (id, name) VALUES (10, $1)', ['inside']);
        const seen = await queryPrepared<{ name: string }>(manager, 'SELECT name FROM t WHERE id = $1', [10]);
        expect(seen.rows).toEqual([{ name: 'inside' }]);
        await queryPrepared(manager, 'INSERT INTO t (id, name) VALUES ($1, $2)', [11, 'also inside']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await dataSource.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
  });

  it('replans a statement whose result columns changed under it (a migration while the app runs)', async () => {
    const text = 'SELECT * FROM t WHERE id = ANY($1::int[]) ORDER BY id';
    await queryPrepared(dataSource, 'INSERT INTO t (id, name) VALUES ($1, $2)', [1, 'a']);
    // Prepared on both pooled connections before the change.
    await Promise.all([queryPrepared(dataSource, text, [[1]]), queryPrepared(dataSource, text, [[1]])]);
    await dataSource.query("ALTER TABLE t ADD COLUMN extra text NOT NULL DEFAULT 'e'");
    try {
      for (let i = 0; i < 4; i++) expect((await queryPrepared(dataSource, text, [[1]])).rows).toEqual([{ id: 1, name: 'a', extra: 'e' }]);
    } finally {
      await dataSource.query('ALTER TABLE t DROP COLUMN extra');
    }
  });

  it('a statement that fails on the server leaves the pool usable (no connection leaked)', async () => {
    await queryPrepared(dataSource, 'INSERT INTO t (id, name) VALUES ($1, $2)', [1, 'a']);
    for (let i = 0; i < 5; i++) {
      await expect(queryPrepared(dataSource, 'INSERT INTO t (id, name) VALUES ($1, $2)', [1, 'duplicate'])).rejects.toMatchObject({ code: '23505' });
    }
    expect((await queryPrepared<{ n: number }>(dataSource, 'SELECT count(*)::int AS n FROM t', [])).rows).toEqual([{ n: 1 }]);
  });
});
