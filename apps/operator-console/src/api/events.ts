import { EVENT_TYPES } from '@orch/contracts';
import { type ApiClient, withQuery } from './client';
import { execPath } from './paths';

/** One event_log row as exec-api (and the SSE stream's `data:`) shows it; `id` is a bigint as a string. */
export interface ExecEvent {
  id: string;
  type: string;
  job_id: string | null;
  execution_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

export interface ExecEventPage {
  data: ExecEvent[];
  next_after: string | null;
}

/** Filters of GET /v1/events and /v1/events/stream. `type`: comma-separated types and `family.*` wildcards. */
export interface EventFilters {
  type?: string;
  job_id?: string;
  execution_id?: string;
}

/** GET exec-api /v1/events (oldest first after `after`), as the impersonated workspace. */
export function fetchExecEvents(client: ApiClient, filters: EventFilters & { after?: string; limit?: number }, signal?: AbortSignal): Promise<ExecEventPage> {
  return client.request<ExecEventPage>(execPath('/v1/events'), { query: { ...filters }, signal });
}

/**
 * The same-origin URL an EventSource opens (cookie auth through the BFF; GET, so no CSRF token).
 * Without `after` the stream starts after the workspace's latest event; `after: '0'` replays every
 * stored event first. A reconnect's Last-Event-ID wins over `after`, so nothing is sent twice.
 */
export function eventStreamUrl(filters: EventFilters & { after?: string }): string {
  return withQuery(execPath('/v1/events/stream'), { type: filters.type?.replace(/\s+/g, ''), job_id: filters.job_id, execution_id: filters.execution_id, after: filters.after });
}

const FAMILIES = new Set(EVENT_TYPES.filter((type) => type.includes('.')).map((type) => type.slice(0, type.indexOf('.'))));

/** What exec-api would refuse in a `type` filter (the same rule as its parser), or undefined when it is fine. */
export function invalidEventType(filter: string): string | undefined {
  if (filter.trim() === '') return undefined;
  for (const raw of filter.split(',')) {
    const item = raw.trim();
    if (item.endsWith('.*') && FAMILIES.has(item.slice(0, -2))) continue;
    if ((EVENT_TYPES as readonly string[]).includes(item)) continue;
    return item === '' ? '(empty)' : item;
  }
  return undefined;
}

/** Wildcards operators can pick (families of event types). */
export const EVENT_TYPE_FAMILIES = [...FAMILIES].map((family) => `${family}.*`);

/** Every named SSE event a stream may carry (`event: <type>`): an EventSource needs one listener per name. */
export const STREAM_EVENT_NAMES: readonly string[] = EVENT_TYPES;
