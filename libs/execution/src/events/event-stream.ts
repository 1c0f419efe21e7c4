import type { DataSource } from 'typeorm';
import type { AnnouncedEvent } from './event-announcer';
import type { EventHub } from './event-hub';
import { type EventFilters, EVENT_PAGE_MAX, type EventView, isEventCursor, latestEventId, listEvents, matchesEventFilters } from './event-query';

/** Where an EventStream writes (an HTTP response in exec-api). */
export interface EventStreamSink {
  /** Writes one chunk; false = the buffer is full (as stream.Writable#write). */
  write(chunk: string): boolean;
  /** Resolves once the buffer has drained or the sink is gone. */
  drained(): Promise<void>;
}

export interface EventStreamLogger {
  warn(message: string): void;
}

export interface EventStreamOptions {
  workspaceId: string;
  filters: EventFilters;
  /** Exclusive resume point (Last-Event-ID / ?after=); absent = after the workspace's latest event. */
  after?: string;
  /** How often Postgres is re-read behind the cursor (late commits, announcements lost while Redis was away). */
  rereadMs?: number;
  /**
   * How long a transaction may hold an event id before committing it: an id not visible this long
   * after a larger one was sent is given up for this stream.
   */
  settleMs?: number;
  /** Live events waiting to be written before the stream gives up on a slow client (it resumes with Last-Event-ID). */
  maxQueued?: number;
  /** Called once when the stream stops by itself (slow client, database error); not after stop(). */
  onEnd?: (reason: 'slow-client' | 'error', error?: unknown) => void;
  logger?: EventStreamLogger;
  clock?: () => number;
}

export const EVENT_STREAM_DEFAULTS = { rereadMs: 2000, settleMs: 10_000, maxQueued: 10_000 } as const;

/** One SSE message. `id:` is the resume cursor (see EventStream), `data:` the event as JSON on one line. */
export function formatSseEvent(cursor: string, event: EventView): string {
  return `id: ${cursor}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * A workspace's events for one SSE client: the backlog from Postgres, then live announcements
 * through the process's EventHub, with neither gap nor duplicate.
 *
 * 1. SUBSCRIBE first; live batches queue behind the backlog (everything after it runs on one serial chain).
 * 2. Page the backlog from Postgres (id > resume point) and send it.
 * 3. Live events are sent when their id is above `floor` and not yet sent on this stream.
 * 4. Every rereadMs, Postgres is re-read from `floor`: an id taken at INSERT but committed after a
 *    larger one (two writer processes), or an announcement lost while Redis was away, is sent then.
 *    `floor` advances to the cursor as it was settleMs before the last re-read started, and the
 *    set of sent ids only keeps ids above it.
 *
 * The SSE `id:` is the cursor: the highest event id sent. It equals the event's own id except
 * for a late commit, which carries the cursor so a client resuming with Last-Event-ID never
 * receives an event twice. The event's own id is always `data.id`.
 */
export class EventStream {
  private readonly rereadMs: number;
  private readonly settleMs: number;
  private readonly maxQueued: number;
  private readonly clock: () => number;
  /** Starts closed: live batches wait behind the backlog, which start() sends before opening it. */
  private chain: Promise<void>;
  private openGate: () => void = () => undefined;
  private queued = 0;
  private stopped = false;
  private rereadPending = false;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  /** Every committed matching id ≤ floor has been sent (or precedes the resume point). */
  private floor = 0n;
  /** Highest id sent: the SSE `id:` and the client's Last-Event-ID. */
  private cursor = 0n;
  private readonly sent = new Set<bigint>();
  private readonly snapshots: Array<{ at: number; cursor: bigint }> = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly hub: EventHub,
    private readonly sink: EventStreamSink,
    private readonly options: EventStreamOptions,
  ) {
    if (options.after !== undefined && !isEventCursor(options.after)) throw new RangeError('EventStream: after must be a decimal event id');
    this.rereadMs = options.rereadMs ?? EVENT_STREAM_DEFAULTS.rereadMs;
    this.settleMs = options.settleMs ?? EVENT_STREAM_DEFAULTS.settleMs;
    this.maxQueued = options.maxQueued ?? EVENT_STREAM_DEFAULTS.maxQueued;
    this.clock = options.clock ?? Date.now;
    this.chain = new Promise<void>((resolve) => (this.openGate = resolve));
  }

  /** The SSE `id:` of the last message written ('0' before any). */
  get lastEventId(): string {
    return this.cursor.toString();
  }

  /** Subscribes, then sends the backlog; resolves once the backlog is written. Rejects if Postgres fails. */
  async start(): Promise<void> {
    try {
      this.unsubscribe = await this.hub.subscribe(this.options.workspaceId, (events) => this.onLive(events));
    } catch (error) {
      // Without Redis the stream still works, from the periodic re-read alone.
      this.options.logger?.warn(`EventStream: live events unavailable, polling Postgres only: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.stopped) {
      this.stop();
      return;
    }
    try {
      const start = this.options.after ?? (await latestEventId(this.dataSource, this.options.workspaceId));
      this.floor = BigInt(start);
      this.cursor = this.floor;
      await this.readFrom(this.floor);
    } catch (error) {
      this.stop();
      throw error;
    }
    this.openGate();
    if (this.stopped) return;
    this.timer = setInterval(() => this.scheduleReread(), this.rereadMs);
    this.timer.unref();
  }

  /** Stops for good: unsubscribes, clears the timer; queued work is dropped. Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.sent.clear();
    // Queued tasks see `stopped` and return, so nothing waits on the gate for ever.
    this.openGate();
  }

  private onLive(events: readonly AnnouncedEvent[]): void {
    if (this.stopped) return;
    if (this.queued >= this.maxQueued) {
      this.end('slow-client');
      return;
    }
    void this.run(async () => {
      for (const event of events) await this.offer(event);
    }).catch((error: unknown) => this.end('error', error));
  }

  private scheduleReread(): void {
    if (this.stopped || this.rereadPending) return;
    this.rereadPending = true;
    void this.run(async () => {
      this.rereadPending = false;
      const startedAt = this.clock();
      this.snapshots.push({ at: startedAt, cursor: this.cursor });
      await this.readFrom(this.floor);
      this.advanceFloor(startedAt);
    }).catch((error: unknown) => this.end('error', error));
  }

  /** Runs `task` after every task queued before it (the stream's one serial chain). */
  private run(task: () => Promise<void>): Promise<void> {
    this.queued++;
    const next = this.chain.then(async () => {
      this.queued--;
      if (!this.stopped) await task();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async readFrom(after: bigint): Promise<void> {
    let cursor: string | null = after.toString();
    while (cursor !== null && !this.stopped) {
      const page = await listEvents(this.dataSource, this.options.workspaceId, { ...this.options.filters, after: cursor, limit: EVENT_PAGE_MAX });
      for (const event of page.data) await this.offer(event);
      cursor = page.next_after;
    }
  }

  private async offer(event: AnnouncedEvent): Promise<void> {
    if (this.stopped || !isEventCursor(event.id)) return;
    const id = BigInt(event.id);
    if (id <= this.floor || this.sent.has(id) || !matchesEventFilters(event, this.options.filters)) return;
    this.sent.add(id);
    if (id > this.cursor) this.cursor = id;
    const view: EventView = { id: event.id, type: event.type, job_id: event.job_id ?? null, execution_id: event.execution_id ?? null, data: event.data ?? {}, created_at: event.created_at };
    if (!this.sink.write(formatSseEvent(this.cursor.toString(), view))) await this.sink.drained();
  }

  /**
   * Every id up to the cursor of a snapshot taken settleMs before this re-read started was
   * taken before that snapshot, hence committed (or rolled back) by the time the re-read ran:
   * nothing at or below it can still appear.
   */
  private advanceFloor(rereadStartedAt: number): void {
    let settled: bigint | undefined;
    while (this.snapshots.length > 0 && this.snapshots[0].at <= rereadStartedAt - this.settleMs) settled = this.snapshots.shift()?.cursor;
    if (settled === undefined || settled <= this.floor) return;
    this.floor = settled;
    for (const id of this.sent) if (id <= this.floor) this.sent.delete(id);
  }

  private end(reason: 'slow-client' | 'error', error?: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.options.onEnd?.(reason, error);
  }
}
