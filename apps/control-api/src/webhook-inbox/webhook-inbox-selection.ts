import type { FieldError } from '@orch/contracts';
import type { WebhookInboxStatus } from '@orch/data';

/** How many inbox rows one bulk retry by filter takes by default, and at most (filter or ids). */
export const DEFAULT_RETRY_BATCH = 100;
export const MAX_RETRY_BATCH = 1000;

/**
 * The statuses a retry takes a row from. `failed`: processing gave up. `processed`: process it
 * again (the target gets the event once more). `received` and `processing` rows are already on
 * their way through the worker, so a retry would only race it.
 */
export const RETRYABLE_STATUSES = ['failed', 'processed'] as const satisfies readonly WebhookInboxStatus[];
export type RetryableStatus = (typeof RETRYABLE_STATUSES)[number];

export function isRetryable(status: WebhookInboxStatus): status is RetryableStatus {
  return (RETRYABLE_STATUSES as readonly string[]).includes(status);
}

/** Which inbox rows of a workspace a list or bulk retry concerns (all optional, combined with AND). */
export interface InboxFilter {
  provider?: string;
  status?: WebhookInboxStatus;
  /** The provider's event type (event_type). */
  type?: string;
  routeId?: string;
  /** Received at or after (inclusive). */
  receivedAfter?: Date;
  /** Received at or before (inclusive). */
  receivedBefore?: Date;
}

export interface InboxFilterInput {
  provider?: string;
  status?: string;
  type?: string;
  route_id?: string;
  received_after?: string;
  received_before?: string;
}

/** A bulk retry: up to `limit` rows by filter (oldest received first), or the given ids. */
export type RetrySelection = { kind: 'filter'; filter: InboxFilter & { status: RetryableStatus }; limit: number } | { kind: 'ids'; ids: string[] };

export interface RetrySelectionInput {
  filter?: Omit<InboxFilterInput, 'status'> & { status?: RetryableStatus };
  ids?: string[];
  limit?: number;
}

/** Field values are valid already (DTO); this maps names and parses the times. */
export function toInboxFilter(input: InboxFilterInput): InboxFilter {
  return {
    ...(input.provider !== undefined ? { provider: input.provider } : {}),
    ...(input.status !== undefined ? { status: input.status as WebhookInboxStatus } : {}),
    ...(input.type !== undefined ? { type: input.type } : {}),
    ...(input.route_id !== undefined ? { routeId: input.route_id } : {}),
    ...(input.received_after !== undefined ? { receivedAfter: new Date(input.received_after) } : {}),
    ...(input.received_before !== undefined ? { receivedBefore: new Date(input.received_before) } : {}),
  };
}

/** A time range is empty when its start is after its end (both ends are inclusive). */
export function timeRangeProblem(filter: InboxFilter, path: string): FieldError[] {
  if (filter.receivedAfter && filter.receivedBefore && filter.receivedAfter.getTime() > filter.receivedBefore.getTime()) {
    return [{ path, message: 'must not be earlier than received_after' }];
  }
  return [];
}

/**
 * Exactly one of filter and ids; limit only with a filter; a time range that is not empty.
 * Returns the problems (with body paths) or the selection.
 */
export function toRetrySelection(input: RetrySelectionInput): { problems: FieldError[] } | { selection: RetrySelection } {
  const problems: FieldError[] = [];
  if (input.ids !== undefined && input.filter !== undefined) problems.push({ path: '/ids', message: 'give either ids or filter, not both' });
  if (input.ids === undefined && input.filter === undefined) problems.push({ path: '/filter', message: 'give either filter or ids' });
  if (input.ids !== undefined && input.limit !== undefined) problems.push({ path: '/limit', message: 'applies only with filter' });
  const filter = input.filter ? toInboxFilter(input.filter) : undefined;
  if (filter) problems.push(...timeRangeProblem(filter, '/filter/received_before'));
  if (problems.length > 0) return { problems };
  if (input.ids !== undefined) return { selection: { kind: 'ids', ids: [...new Set(input.ids.map((id) => id.toLowerCase()))] } };
  return { selection: { kind: 'filter', filter: { ...filter, status: input.filter?.status ?? 'failed' }, limit: input.limit ?? DEFAULT_RETRY_BATCH } };
}
