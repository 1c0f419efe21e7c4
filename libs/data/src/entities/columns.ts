import { Column, CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/*
 * Every timestamp is timestamptz(3): JavaScript dates carry milliseconds, so a value read from
 * a row and sent back (keyset cursors, lock deadlines) compares equal to what is stored.
 */
const TIMESTAMP = { type: 'timestamptz', precision: 3 } as const;

export function UuidPrimaryColumn(table: string): PropertyDecorator {
  return PrimaryGeneratedColumn('uuid', { name: 'id', primaryKeyConstraintName: `pk_${table}` });
}

/** For append-heavy logs: an identity gives the strictly increasing id SSE resumes from. */
export function BigIdentityPrimaryColumn(table: string): PropertyDecorator {
  return PrimaryGeneratedColumn('identity', {
    name: 'id',
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: `pk_${table}`,
  });
}

export function CreatedAtColumn(): PropertyDecorator {
  return CreateDateColumn({ ...TIMESTAMP, name: 'created_at' });
}

export function UpdatedAtColumn(): PropertyDecorator {
  return UpdateDateColumn({ ...TIMESTAMP, name: 'updated_at' });
}

export function TimestampColumn(name: string, options: { nullable?: boolean; defaultNow?: boolean } = {}): PropertyDecorator {
  return Column({
    ...TIMESTAMP,
    name,
    nullable: options.nullable ?? false,
    ...(options.defaultNow ? { default: () => 'now()' } : {}),
  });
}

/** `'a', 'b'` for CHECK (x IN (…)) so entity metadata and migration SQL share one list. */
export function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
}
