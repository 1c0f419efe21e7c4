import type { Redis } from 'ioredis';
import { eventsChannel } from '@orch/contracts';
import type { WrittenEvent } from '../records/record-writer';

/** What goes over the `events:<workspace>` channel: an event_log row as the events API shows it. */
export interface AnnouncedEvent {
  id: string;
  type: string;
  job_id: string | null;
  execution_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

export function toAnnouncedEvent(event: WrittenEvent, createdAt = new Date()): AnnouncedEvent {
  return { id: event.id, type: event.type, job_id: event.jobId ?? null, execution_id: event.executionId ?? null, data: event.data, created_at: createdAt.toISOString() };
}

/**
 * Publishes events that are already committed in event_log to their workspace's channel, one
 * PUBLISH per workspace per batch (a JSON array, in id order), for the SSE streams of every
 * exec-api replica. Fire-and-forget: a subscriber that misses a message catches up from Postgres
 * (Last-Event-ID), so a failed publish loses nothing. ioredis does not prefix channels: pass
 * the deployment's REDIS_KEY_PREFIX as `prefix` (subscribers use the same).
 */
export function announceEvents(redis: Pick<Redis, 'publish'>, events: readonly WrittenEvent[], prefix = ''): void {
  const byWorkspace = new Map<string, AnnouncedEvent[]>();
  const now = new Date();
  for (const event of events) {
    const list = byWorkspace.get(event.workspaceId) ?? [];
    list.push(toAnnouncedEvent(event, now));
    byWorkspace.set(event.workspaceId, list);
  }
  for (const [workspaceId, list] of byWorkspace) {
    redis.publish(`${prefix}${eventsChannel(workspaceId)}`, JSON.stringify(list)).catch(() => undefined);
  }
}
