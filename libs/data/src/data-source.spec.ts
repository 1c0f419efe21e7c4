import { getMetadataArgsStorage } from 'typeorm';
import { MIGRATIONS_TABLE, createDataSourceOptions } from './data-source';
import { DATA_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const storage = getMetadataArgsStorage();
const entityTargets = new Set<unknown>(DATA_ENTITIES);
const columnsOf = (target: unknown) => storage.columns.filter((column) => column.target === target);

describe('createDataSourceOptions', () => {
  it('never synchronizes and never migrates on connect', () => {
    const options = createDataSourceOptions({ url: 'postgres://postgres@127.0.0.1:5432/x' });
    expect(options).toMatchObject({ type: 'postgres', synchronize: false, migrationsRun: false, migrationsTableName: MIGRATIONS_TABLE });
    expect(options.entities).toEqual([...DATA_ENTITIES]);
    expect(options.migrations).toEqual([...MIGRATIONS]);
  });
});

describe('DATA_ENTITIES', () => {
  it('names every table in snake_case', () => {
    const tables = storage.tables.filter((table) => entityTargets.has(table.target));
    expect(tables).toHaveLength(DATA_ENTITIES.length);
    for (const table of tables) expect(table.name).toMatch(SNAKE_CASE);
  });

  it('gives every column an explicit type and a snake_case name', () => {
    for (const entity of DATA_ENTITIES) {
      for (const column of columnsOf(entity)) {
        const where = `${entity.name}.${column.propertyName}`;
        expect({ where, type: typeof column.options.type }).toEqual({ where, type: 'string' });
        expect({ where, name: column.options.name }).toEqual({ where, name: expect.stringMatching(SNAKE_CASE) });
      }
    }
  });

  it('names every foreign key and cascades each workspace key', () => {
    const joins = storage.joinColumns.filter((join) => entityTargets.has(join.target));
    for (const join of joins) expect(join.foreignKeyConstraintName).toMatch(/^fk_[a-z_]+$/);
    const workspaceRelations = storage.relations.filter((relation) => entityTargets.has(relation.target) && relation.propertyName === 'workspace');
    for (const relation of workspaceRelations) expect(relation.options.onDelete).toBe('CASCADE');
    // Every table with a required workspace_id has the relation; the audit log has neither.
    const tenantScoped = DATA_ENTITIES.filter((entity) =>
      columnsOf(entity).some((column) => column.options.name === 'workspace_id' && !column.options.nullable),
    );
    expect(workspaceRelations.map((relation) => relation.target)).toEqual(expect.arrayContaining(tenantScoped));
    expect(tenantScoped).toHaveLength(workspaceRelations.length);
  });
});

describe('MIGRATIONS', () => {
  it('are named <Name><13-digit timestamp>, unique and oldest first', () => {
    const stamps = MIGRATIONS.map((Migration) => {
      const name = new Migration().name ?? '';
      expect(name).toMatch(/^[A-Z][A-Za-z]+\d{13}$/);
      return Number(name.slice(-13));
    });
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
  });
});
