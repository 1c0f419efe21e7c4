import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Turns a raw row of `RETURNING *` (snake_case column names, values as the pg driver parsed them)
 * into the entity TypeORM would have loaded, so a single hand-written statement (an UPDATE … FROM
 * or INSERT … SELECT with conditions the query builder cannot express) still hands back a typed
 * entity instead of a second SELECT round trip.
 */
export function entityFromRow<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = dataSource.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!(column.databaseName in row)) continue;
    column.setEntityValue(entity, dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}
