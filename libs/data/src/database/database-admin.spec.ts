import { createDatabase, databaseNameOf, dropDatabase, withDatabaseName } from './database-admin';

describe('databaseNameOf', () => {
  it('reads the database of a URL', () => {
    expect(databaseNameOf('postgres://postgres@127.0.0.1:5432/orchestrator_dev')).toBe('orchestrator_dev');
    expect(() => databaseNameOf('postgres://postgres@127.0.0.1:5432')).toThrow('names no database');
  });
});

describe('withDatabaseName', () => {
  it('keeps server and credentials and swaps the database', () => {
    expect(withDatabaseName('postgres://user:p%40ss@db:6543/postgres?sslmode=require', 'orch_test_ab')).toBe(
      'postgres://user:p%40ss@db:6543/orch_test_ab?sslmode=require',
    );
  });
});

describe('createDatabase / dropDatabase', () => {
  it.each(['Bad-Name', 'x"; DROP DATABASE postgres; --', ''])('refuse the name %p before connecting', async (name) => {
    // An unroutable URL: reaching the server would hang, so a rejection proves no connection was tried.
    await expect(createDatabase('postgres://nobody@192.0.2.1:1/postgres', name)).rejects.toThrow('refusing database name');
    await expect(dropDatabase('postgres://nobody@192.0.2.1:1/postgres', name)).rejects.toThrow('refusing database name');
  });
});
