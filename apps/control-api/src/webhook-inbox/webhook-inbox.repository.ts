import type { EntityManager } from 'typeorm';
import { assertWorkspaceId, DEFAULT_PAGE_SIZE, type Page, type WebhookInboxStatus } from '@orch/data';
import { insertEvents } from '@orch/execution';
import { decodeCursor, encodeCursor, isUuid } from '../common/page-cursor';
import type { InboxFilter, RetrySelection } from './webhook-inbox-selection';

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** An inbox row without what it carries (headers, payload): what lists show. */
export interface InboxItem {
  id: string;
  workspaceId: string;
  routeId: string | null;
  provider: string;
  eventId: string;
  eventType: string | null;
  status: WebhookInboxStatus;
  attempts: number;
  lastError: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  updatedAt: Date;
}

/** One row with the delivery as stored: headers (secrets already stripped by the ingress) and payload or its reference. */
export interface InboxDetail extends InboxItem {
  headers: Record<string, string>;
  payload: unknown;
  payloadRef: string | null;
}

/** A row a retry moved back to `received`, with what it was before. */
export interface RetriedRow extends InboxItem {
  previousStatus: WebhookInboxStatus;
  previousError: string | null;
  previousAttempts: number;
}

export interface WrittenEventRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

interface ItemRow {
  id: string;
  workspace_id: string;
  route_id: string | null;
  provider: string;
  event_id: string;
  event_type: string | null;
  status: WebhookInboxStatus;
  attempts: number;
  last_error: string | null;
  received_at: Date;
  processed_at: Date | null;
  updated_at: Date;
}

const ITEM_COLUMNS = (alias: string) =>
  ['id', 'workspace_id', 'route_id', 'provider', 'event_id', 'event_type', 'status', 'attempts', 'last_error', 'received_at', 'processed_at', 'updated_at'].map((column) => `${alias}.${column}`).join(', ');

/**
 * received_at to the microsecond, as text: a JavaScript Date keeps milliseconds only, and a
 * cursor that lost the microseconds would skip rows received within the same millisecond.
 */
const RECEIVED_AT_EXACT = (alias: string) => `to_char(${alias}.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const CURSOR_SHAPE = (values: string[]) => values.length === 2 && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(values[0]) && !Number.isNaN(Date.parse(values[0])) && isUuid(values[1]);

function toItem(row: ItemRow): InboxItem {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    routeId: row.route_id,
    provider: row.provider,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    receivedAt: new Date(row.received_at),
    processedAt: row.processed_at === null ? null : new Date(row.processed_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Numbered SQL conditions for a filter on the alias `alias`; `params` collects the values ($1 is the workspace id). */
function filterConditions(alias: string, filter: InboxFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filter.provider !== undefined) add((p) => `${alias}.provider = ${p}`, filter.provider);
  if (filter.status !== undefined) add((p) => `${alias}.status = ${p}`, filter.status);
  if (filter.type !== undefined) add((p) => `${alias}.event_type = ${p}`, filter.type);
  if (filter.routeId !== undefined) add((p) => `${alias}.route_id = ${p}::uuid`, filter.routeId);
  if (filter.receivedAfter) add((p) => `${alias}.received_at >= ${p}`, filter.receivedAfter);
  if (filter.receivedBefore) add((p) => `${alias}.received_at <= ${p}`, filter.receivedBefore);
  return conditions;
}

/**
 * Queries of webhook_inbox for the control plane, and the events a retry writes. Every method
 * takes the workspace id first and puts it in the WHERE.
 */
export class WebhookInboxRepository {
  private constructor(private readonly manager: EntityManager) {}

  static of(manager: EntityManager): WebhookInboxRepository {
    return new WebhookInboxRepository(manager);
  }

  /** Newest received first, paged by (received_at, id); never selects headers or payload. */
  async find(workspaceId: string, filter: InboxFilter, page: PageRequest): Promise<Page<InboxItem>> {
    assertWorkspaceId(workspaceId);
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [workspaceId];
    const conditions = ['i.workspace_id = $1', ...filterConditions('i', filter, params)];
    if (page.cursor) {
      const [time, id] = decodeCursor(page.cursor, CURSOR_SHAPE);
      params.push(time, id);
      conditions.push(`(i.received_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows: Array<ItemRow & { cursor_at: string }> = await this.manager.query(
      `SELECT ${ITEM_COLUMNS('i')}, ${RECEIVED_AT_EXACT('i')} AS cursor_at
         FROM webhook_inbox i
        WHERE ${conditions.join(' AND ')}
        ORDER BY i.received_at DESC, i.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(toItem), nextCursor: rows.length > limit && last ? encodeCursor([last.cursor_at, last.id]) : null };
  }

  async findOne(workspaceId: string, inboxId: string): Promise<InboxDetail | null> {
    assertWorkspaceId(workspaceId);
    const rows: Array<ItemRow & { headers: Record<string, string> | null; payload: unknown; payload_ref: string | null }> = await this.manager.query(
      `SELECT ${ITEM_COLUMNS('i')}, i.headers, i.payload, i.payload_ref FROM webhook_inbox i WHERE i.workspace_id = $1 AND i.id = $2`,
      [workspaceId, inboxId],
    );
    const row = rows[0];
    return row ? { ...toItem(row), headers: row.headers ?? {}, payload: row.payload, payloadRef: row.payload_ref } : null;
  }

  /**
   * Moves the selected rows that are still retryable back to `received` in one statement and
   * returns them. The CTE locks the rows (FOR UPDATE) and Postgres checks the status again on the
   * row version it locked, so concurrent retries of a row let exactly one of them have it; a
   * filter or id list skips rows another transaction holds (SKIP LOCKED), so batches running at
   * once split the work. The row starts over as if just received: attempts 0 (the worker's
   * WEBHOOK_MAX_ATTEMPTS budget counts attempts on the row, so a kept count would leave a row that
   * failed for good a single attempt), last_error and processed_at cleared; the audit row and the
   * worker's events keep the history.
   */
  async retry(workspaceId: string, selection: RetrySelection | { kind: 'one'; id: string }, statuses: readonly WebhookInboxStatus[]): Promise<RetriedRow[]> {
    assertWorkspaceId(workspaceId);
    const params: unknown[] = [workspaceId, [...statuses]];
    const conditions = ['s.workspace_id = $1', 's.status = ANY($2::text[])'];
    let tail = 'FOR UPDATE';
    if (selection.kind === 'one') {
      params.push(selection.id);
      conditions.push(`s.id = $${params.length}::uuid`);
    } else if (selection.kind === 'ids') {
      params.push(selection.ids);
      conditions.push(`s.id = ANY($${params.length}::uuid[])`);
      tail = 'ORDER BY s.received_at ASC, s.id ASC FOR UPDATE SKIP LOCKED';
    } else {
      conditions.push(...filterConditions('s', selection.filter, params));
      params.push(selection.limit);
      tail = `ORDER BY s.received_at ASC, s.id ASC LIMIT $${params.length} FOR UPDATE SKIP LOCKED`;
    }
    const rows: Array<ItemRow & { previous_status: WebhookInboxStatus; previous_error: string | null; previous_attempts: number }> = await this.manager
      .query(
        `WITH picked AS MATERIALIZED (
           SELECT s.id, s.status AS previous_status, s.last_error AS previous_error, s.attempts AS previous_attempts FROM webhook_inbox s WHERE ${conditions.join(' AND ')} ${tail}
         )
         UPDATE webhook_inbox i
            SET status = 'received', attempts = 0, last_error = NULL, processed_at = NULL, updated_at = now()
           FROM picked
          WHERE i.id = picked.id AND i.workspace_id = $1 AND i.status = ANY($2::text[])
          RETURNING ${ITEM_COLUMNS('i')}, picked.previous_status, picked.previous_error, picked.previous_attempts`,
        params,
      )
      .then((result: unknown) => updateRows(result));
    return rows
      .map((row) => ({ ...toItem(row as ItemRow), previousStatus: row.previous_status, previousError: row.previous_error, previousAttempts: row.previous_attempts }))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id));
  }

  /** Inserts inbox events of the workspace in the caller's transaction (no job); ids in input order. */
  async insertEvents(workspaceId: string, events: ReadonlyArray<{ type: string; data: Record<string, unknown> }>): Promise<WrittenEventRow[]> {
    assertWorkspaceId(workspaceId);
    const written = await insertEvents(this.manager, events.map((event) => ({ workspaceId, ...event })));
    return written.map((event, i) => ({ ...(events[i] as (typeof events)[number]), id: event.id }));
  }

}

/** node-postgres through TypeORM answers UPDATE … RETURNING as [rows, affected]. */
function updateRows<R>(result: unknown): R[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as R[];
  return result as R[];
}
