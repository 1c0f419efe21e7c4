import { queryPrepared, type SqlExecutor } from '@orch/data';
import type { EventRecord, WrittenEvent } from './record-writer';

/**
 * Orders event ids — Postgres bigints as canonical decimal text (no sign, no leading zeros) —
 * numerically, without making a BigInt per comparison: the longer one is larger, else the
 * string order is the number order.
 */
export function compareEventIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Inserts event_log rows with `runner` — in the caller's transaction when it has one, so an
 * event commits together with the change it describes — and answers them with their ids, in
 * input order. Announce them (RecordWriter.announce, announceEvents) only once committed.
 *
 * A named prepared statement (queryPrepared). One array parameter per column (INSERT … SELECT FROM unnest … WITH ORDINALITY): five parameters
 * whatever the batch size, rows inserted and ids assigned in array order. Raw SQL: the query
 * builder's deep-partial typing refuses a jsonb Record column; the column list mirrors the
 * event_log entity of @orch/data.
 */
export async function insertEvents(runner: SqlExecutor, events: readonly EventRecord[]): Promise<WrittenEvent[]> {
  if (events.length === 0) return [];
  const { rows } = await queryPrepared<{ id: string }>(
    runner,
    `INSERT INTO event_log (workspace_id, type, execution_id, job_id, data)
     SELECT t.workspace_id, t.type, t.execution_id, t.job_id, t.data
       FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::jsonb[]) WITH ORDINALITY AS t(workspace_id, type, execution_id, job_id, data, n)
      ORDER BY t.n
     RETURNING id`,
    [
      events.map((row) => row.workspaceId),
      events.map((row) => row.type),
      events.map((row) => row.executionId ?? null),
      events.map((row) => row.jobId ?? null),
      events.map((row) => JSON.stringify(row.data)),
    ],
  );
  return events.map((row, i) => ({ ...row, id: String(rows[i]?.id ?? '') }));
}
