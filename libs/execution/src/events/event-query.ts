import type { DataSource } from 'typeorm';
import { EVENT_TYPES } from '@orch/contracts';
import type { AnnouncedEvent } from './event-announcer';

/** An event_log row as the events APIs (list, SSE) show it. Same shape as what is announced over Redis. */
export type EventView = AnnouncedEvent;

/** Filters shared by `GET /v1/events`, the SSE stream and control-api's events listing. */
export interface EventFilters {
  jobId?: string;
  executionId?: string;
  /** Exact event types (already expanded from `job.*` wildcards); empty or absent = every type. */
  types?: readonly string[];
}

export interface EventQuery extends EventFilters {
  /** Exclusive id cursor: only ids greater than this (a bigint as a decimal string). */
  after?: string;
  /** 1..EVENT_PAGE_MAX. */
  limit: number;
}

export interface EventPage {
  data: EventView[];
  /** The id to pass as `after` for the next page; null when this page is the last one. */
  next_after: string | null;
}

export const EVENT_PAGE_MAX = 500;
export const EVENT_PAGE_DEFAULT = 100;

/** Largest bigint: an `after` above it cannot be compared with an id. */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** A valid event-id cursor: digits only, at most the bigint maximum. */
export function isEventCursor(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= BIGINT_MAX;
}

/** Event-type families usable as `family.*` in a type filter (`job.*`, `run.*`, `breaker.*`…). */
const TYPE_FAMILIES = new Set(EVENT_TYPES.filter((type) => type.includes('.')).map((type) => type.slice(0, type.indexOf('.'))));

/**
 * Parses a `type` filter: a comma-separated list of exact event types and `family.*` wildcards
 * (`job.*`, `run.*`, `callback.*`, `execution.*`, `breaker.*`). Returns the exact types it
 * stands for, or the first item that is neither a known type nor a known family.
 */
export function parseEventTypeFilter(value: string): { types: string[] } | { invalid: string } {
  const types = new Set<string>();
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item.endsWith('.*') && TYPE_FAMILIES.has(item.slice(0, -2))) {
      for (const type of EVENT_TYPES) if (type.startsWith(item.slice(0, -1))) types.add(type);
    } else if ((EVENT_TYPES as readonly string[]).includes(item)) {
      types.add(item);
    } else {
      return { invalid: item };
    }
  }
  return { types: [...types] };
}

/** Whether an event passes the filters (the SSE stream applies them to live events). */
export function matchesEventFilters(event: Pick<EventView, 'type' | 'job_id' | 'execution_id'>, filters: EventFilters): boolean {
  if (filters.jobId !== undefined && event.job_id !== filters.jobId) return false;
  if (filters.executionId !== undefined && event.execution_id !== filters.executionId) return false;
  if (filters.types !== undefined && filters.types.length > 0 && !filters.types.includes(event.type)) return false;
  return true;
}

interface EventRow {
  id: string;
  type: string;
  job_id: string | null;
  execution_id: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

function toEventView(row: EventRow): EventView {
  return { id: String(row.id), type: row.type, job_id: row.job_id, execution_id: row.execution_id, data: row.data, created_at: new Date(row.created_at).toISOString() };
}

/**
 * One page of a workspace's events, ascending by id, after the exclusive `after` cursor. The
 * workspace id is required: there is no way to read across workspaces. Served by the
 * (workspace_id, id) and (workspace_id, job_id, id) indexes.
 *
 * Ids are taken at INSERT, not COMMIT: a page read now may lack an id below its last one that
 * commits a moment later. A poller that must see everything re-reads a short window behind its
 * cursor (the SSE stream does, see EventStream).
 */
export async function listEvents(dataSource: DataSource, workspaceId: string, query: EventQuery): Promise<EventPage> {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > EVENT_PAGE_MAX) throw new RangeError(`listEvents: limit must be an integer from 1 to ${EVENT_PAGE_MAX}`);
  if (query.after !== undefined && !isEventCursor(query.after)) throw new RangeError('listEvents: after must be a decimal event id');
  const params: unknown[] = [workspaceId];
  const where = ['workspace_id = $1'];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.after !== undefined) where.push(`id > ${bind(query.after)}::bigint`);
  if (query.jobId !== undefined) where.push(`job_id = ${bind(query.jobId)}::uuid`);
  if (query.executionId !== undefined) where.push(`execution_id = ${bind(query.executionId)}::uuid`);
  if (query.types !== undefined && query.types.length > 0) where.push(`type = ANY(${bind(query.types)}::text[])`);
  // One row more than asked tells whether another page exists, so the last page says null.
  // ORDER BY the column, not the `id` alias (text), which would sort '10' before '9'.
  const rows: EventRow[] = await dataSource.query(
    `SELECT id::text AS id, type, job_id, execution_id, data, created_at FROM event_log WHERE ${where.join(' AND ')} ORDER BY event_log.id ASC LIMIT ${bind(query.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, query.limit).map(toEventView);
  return { data: page, next_after: rows.length > query.limit ? page[page.length - 1].id : null };
}

/** The workspace's highest event id ('0' when it has none): where a stream without a cursor starts. */
export async function latestEventId(dataSource: DataSource, workspaceId: string): Promise<string> {
  const rows: Array<{ id: string | null }> = await dataSource.query('SELECT max(id)::text AS id FROM event_log WHERE workspace_id = $1', [workspaceId]);
  return rows[0]?.id ?? '0';
}
