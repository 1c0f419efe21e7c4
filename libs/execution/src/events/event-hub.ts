import type { Redis } from 'ioredis';
import { eventsChannel } from '@orch/contracts';
import type { AnnouncedEvent } from './event-announcer';

export type AnnouncedEventsListener = (events: readonly AnnouncedEvent[]) => void;

export interface EventHubLogger {
  warn(message: string): void;
}

interface ChannelEntry {
  listeners: Set<AnnouncedEventsListener>;
  /** The SUBSCRIBE of this channel; every listener that joins waits for it. */
  subscribed: Promise<void>;
}

/**
 * The one Redis subscriber connection of a process, shared by all of its SSE streams. Each
 * workspace channel (`<prefix>events:<workspaceId>`) is SUBSCRIBEd while at least one stream
 * of that workspace listens and UNSUBSCRIBEd when its last one leaves (reference counting), so
 * a process only receives the workspaces it serves and a listener only ever sees its own
 * workspace's channel. A pattern subscription would ship every workspace's events to every
 * replica.
 *
 * Messages lost while the connection is down are not replayed by Redis; streams catch up by
 * re-reading Postgres (EventStream), and ioredis re-subscribes on reconnect.
 */
export class EventHub {
  private readonly channels = new Map<string, ChannelEntry>();
  private closed = false;

  /**
   * @param subscriber a connection used for nothing else (SUBSCRIBE puts it in subscriber mode),
   *   e.g. `redis.duplicate({ keyPrefix: '' })`. The hub owns it and closes it in close().
   * @param prefix the deployment's REDIS_KEY_PREFIX, as given to announceEvents.
   */
  constructor(
    private readonly subscriber: Redis,
    private readonly prefix = '',
    private readonly logger?: EventHubLogger,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  /**
   * Starts delivering `workspaceId`'s announced events to `listener`; resolves once the
   * channel is subscribed (rejects if Redis refused), with the function that stops it.
   */
  async subscribe(workspaceId: string, listener: AnnouncedEventsListener): Promise<() => void> {
    if (this.closed) throw new Error('EventHub is closed');
    const channel = `${this.prefix}${eventsChannel(workspaceId)}`;
    let entry = this.channels.get(channel);
    if (!entry) {
      const subscribed = this.subscriber.subscribe(channel).then(() => undefined);
      const created: ChannelEntry = { listeners: new Set(), subscribed };
      // A refused SUBSCRIBE must not stick: the next stream of this workspace tries again.
      subscribed.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
      entry = created;
      this.channels.set(channel, entry);
    }
    const current = entry;
    current.listeners.add(listener);
    const remove = (): void => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return;
      // Commands on one connection run in order: a later SUBSCRIBE of the same channel by a new entry follows this one.
      if (this.channels.get(channel) === current) this.channels.delete(channel);
      if (!this.closed) this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await current.subscribed;
    } catch (error) {
      remove();
      throw error;
    }
    return remove;
  }

  /** Channels currently subscribed (for tests and metrics). */
  get channelCount(): number {
    return this.channels.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    if (this.subscriber.status === 'ready') await this.subscriber.quit().catch(() => this.subscriber.disconnect());
    else this.subscriber.disconnect();
  }

  private dispatch(channel: string, message: string): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    let events: AnnouncedEvent[];
    try {
      const parsed: unknown = JSON.parse(message);
      events = Array.isArray(parsed) ? (parsed as AnnouncedEvent[]) : [parsed as AnnouncedEvent];
    } catch {
      this.logger?.warn(`EventHub: dropped a malformed message on ${channel}`);
      return;
    }
    for (const listener of [...entry.listeners]) listener(events);
  }
}
