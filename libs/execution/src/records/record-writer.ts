import type { DataSource } from 'typeorm';
import { NO_WAL_WAIT_CTE, queryPrepared } from '@orch/data';
import { compareEventIds, insertEvents } from './event-rows';

/** One event_log row to write. `type` is e.g. an EXECUTION_EVENT_TYPES entry or `job.queued`. */
export interface EventRecord {
  workspaceId: string;
  type: string;
  executionId?: string | null;
  jobId?: string | null;
  data: Record<string, unknown>;
}

/** One request_log row to write. */
export interface RequestRecord {
  workspaceId: string;
  requestId: string;
  method: string;
  /** The route template (`/v1/jobs/:id`), never the raw URL. */
  route: string;
  status: number;
  durationMs: number;
  connector?: string | null;
  operation?: string | null;
}

/** An event as stored: `id` is the event_log id (a bigint as a string), the SSE event id. */
export interface WrittenEvent extends EventRecord {
  id: string;
}

export type EventsWrittenListener = (events: readonly WrittenEvent[]) => void;

/** What RecordWriter logs through; Nest's Logger and pino both fit. */
export interface RecordWriterLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface RecordWriterOptions {
  /** How often buffered rows are written. */
  flushIntervalMs?: number;
  /** Rows per INSERT; a buffer that reaches it is written at once instead of at the next tick. */
  maxBatch?: number;
  /** Rows kept per buffer while the database refuses them; beyond it the oldest are dropped. */
  maxBuffered?: number;
  logger?: RecordWriterLogger;
}

export interface RecordWriterStats {
  /** Successful INSERT statements. */
  flushes: number;
  /** Rows written. */
  rows: number;
  /** Rows given up: dropped to stay under maxBuffered, or appended after close(). */
  dropped: number;
  /** INSERTs that failed (their rows were kept for the next try). */
  failures: number;
}

interface RecordOf {
  event: EventRecord;
  request: RequestRecord;
}

type Kind = keyof RecordOf;

/*
 * Postgres binds at most 65 535 parameters per statement; a request row has 8 columns, so
 * 5 000 rows stay well under it.
 */
const MAX_BATCH_LIMIT = 5_000;

/**
 * Buffers event_log and request_log rows and writes each buffer with one multi-row INSERT per
 * batch, so a request costs an array push instead of a round trip (DESIGN §6, §7).
 *
 * - event()/request() never await and never throw: logging must not fail or slow a request.
 * - A timer (unref'd, so it never keeps a process alive) writes every flushIntervalMs; a buffer
 *   that reaches maxBatch is written at once.
 * - One INSERT per buffer at a time, in append order, so event ids follow append order.
 * - A failed INSERT puts its rows back in front and the next tick retries. While the database
 *   stays down each buffer keeps at most maxBuffered rows: the oldest are dropped, counted in
 *   stats.dropped, and a warning is logged once per outage. Losing old log lines beats running
 *   the process out of memory.
 * - close() (from the app's onApplicationShutdown) stops the timer and writes what is left.
 *
 * A failed INSERT writes nothing, so its retry cannot duplicate rows (short of a connection lost
 * after the server committed); onEventsWritten listeners see each row once, after its INSERT.
 */
export class RecordWriter {
  readonly stats: RecordWriterStats = { flushes: 0, rows: 0, dropped: 0, failures: 0 };

  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;
  private readonly logger?: RecordWriterLogger;
  private readonly buffers: { [K in Kind]: Array<RecordOf[K]> } = { event: [], request: [] };
  private readonly writing: { event?: Promise<void>; request?: Promise<void> } = {};
  private readonly listeners = new Set<EventsWrittenListener>();
  private readonly announcing: WrittenEvent[] = [];
  /*
   * Set on the first drop / failure of an outage and cleared by the next successful INSERT: a
   * database down for a minute would otherwise log twenty lines a second.
   */
  private dropWarned = false;
  private failureLogged = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    options: RecordWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxBuffered = options.maxBuffered ?? 50_000;
    this.logger = options.logger;
    if (!(this.flushIntervalMs > 0)) throw new Error('RecordWriter: flushIntervalMs must be positive');
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1 || this.maxBatch > MAX_BATCH_LIMIT) {
      throw new Error(`RecordWriter: maxBatch must be an integer from 1 to ${MAX_BATCH_LIMIT}`);
    }
    if (!Number.isInteger(this.maxBuffered) || this.maxBuffered < this.maxBatch) {
      throw new Error('RecordWriter: maxBuffered must be an integer of at least maxBatch');
    }
    this.timer = setInterval(() => this.tick(), this.flushIntervalMs);
    this.timer.unref();
  }

  event(row: EventRecord): void {
    this.append('event', row);
  }

  request(row: RequestRecord): void {
    this.append('request', row);
  }

  /** Calls `listener` with every batch of events once written, ids included. Returns an unsubscribe. */
  onEventsWritten(listener: EventsWrittenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hands events written elsewhere — by insertEvents() in a caller's transaction, once it has
   * committed — to the onEventsWritten listeners, as if this writer had written them.
   */
  announce(events: readonly WrittenEvent[]): void {
    if (events.length === 0 || this.listeners.size === 0) return;
    // Coalesced per tick: concurrent requests' events reach the listeners (one PUBLISH per workspace) together.
    this.announcing.push(...events);
    if (this.announcing.length > events.length) return;
    setImmediate(() => {
      const batch = this.announcing.splice(0);
      batch.sort((a, b) => compareEventIds(a.id, b.id));
      this.notify(batch);
    });
  }

  /** Rows waiting to be written (both buffers, not counting an INSERT in progress). */
  get pending(): number {
    return this.buffers.event.length + this.buffers.request.length;
  }

  /**
   * Resolves once every row appended before the call (and any appended meanwhile) is written;
   * rejects with the database error if an INSERT fails (the rows stay buffered for a retry).
   */
  async flush(): Promise<void> {
    await Promise.all([this.drain('event'), this.drain('request')]);
  }

  /** Stops the timer and writes what is left. Rows appended afterwards are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private append<K extends Kind>(kind: K, row: RecordOf[K]): void {
    if (this.closed) {
      this.stats.dropped++;
      this.logger?.warn(`RecordWriter: a ${kind} record arrived after close() and was dropped`);
      return;
    }
    const buffer: Array<RecordOf[K]> = this.buffers[kind];
    buffer.push(row);
    this.enforceBound(kind);
    if (buffer.length >= this.maxBatch && !this.writing[kind]) this.background(kind);
  }

  private enforceBound(kind: Kind): void {
    const buffer = this.buffers[kind];
    const excess = buffer.length - this.maxBuffered;
    if (excess <= 0) return;
    buffer.splice(0, excess);
    this.stats.dropped += excess;
    if (!this.dropWarned) {
      this.dropWarned = true;
      this.logger?.warn(`RecordWriter: ${kind} buffer over ${this.maxBuffered} rows while the database refuses writes; dropping the oldest`);
    }
  }

  private tick(): void {
    for (const kind of ['event', 'request'] as const) {
      if (this.buffers[kind].length > 0 && !this.writing[kind]) this.background(kind);
    }
  }

  /** A write nobody awaits: its failure is logged here and retried by the next tick. */
  private background(kind: Kind): void {
    this.drain(kind).catch((error: unknown) => {
      if (this.failureLogged) return;
      this.failureLogged = true;
      this.logger?.error(`RecordWriter: writing ${kind} records failed; they are kept and retried every tick: ${messageOf(error)}`);
    });
  }

  /** Writes the buffer until it is empty. Joins the write in progress rather than racing it. */
  private async drain(kind: Kind): Promise<void> {
    for (;;) {
      const inProgress = this.writing[kind];
      if (inProgress) {
        await inProgress;
        continue;
      }
      if (this.buffers[kind].length === 0) return;
      const write = this.writeBatches(kind).finally(() => {
        this.writing[kind] = undefined;
      });
      this.writing[kind] = write;
      await write;
    }
  }

  private async writeBatches(kind: Kind): Promise<void> {
    while (this.buffers[kind].length > 0) {
      if (kind === 'event') await this.writeEvents();
      else await this.writeRequests();
    }
  }

  private async writeEvents(): Promise<void> {
    const batch = this.buffers.event.splice(0, this.maxBatch);
    let written: WrittenEvent[];
    try {
      written = await insertEvents(this.dataSource, batch);
    } catch (error) {
      this.restore('event', batch);
      throw error;
    }
    this.written(batch.length);
    if (this.listeners.size > 0) this.notify(written);
  }

  private async writeRequests(): Promise<void> {
    const batch = this.buffers.request.splice(0, this.maxBatch);
    try {
      await queryPrepared(
        this.dataSource,
        // Its commit does not wait for the WAL flush (D68): like the buffer, a crash may lose the last rows.
        `WITH ${NO_WAL_WAIT_CTE}
         INSERT INTO request_log (workspace_id, request_id, method, route, status, duration_ms, connector, operation)
         SELECT t.* FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[]) AS t CROSS JOIN no_wal_wait`,
        [
          batch.map((row) => row.workspaceId),
          batch.map((row) => row.requestId),
          batch.map((row) => row.method),
          batch.map((row) => row.route),
          batch.map((row) => row.status),
          batch.map((row) => Math.round(row.durationMs)),
          batch.map((row) => row.connector ?? null),
          batch.map((row) => row.operation ?? null),
        ],
      );
    } catch (error) {
      this.restore('request', batch);
      throw error;
    }
    this.written(batch.length);
  }

  /** Back in front, so order is kept, then trimmed to the bound. */
  private restore<K extends Kind>(kind: K, batch: Array<RecordOf[K]>): void {
    this.stats.failures++;
    const buffer: Array<RecordOf[K]> = this.buffers[kind];
    buffer.unshift(...batch);
    this.enforceBound(kind);
  }

  private written(rows: number): void {
    this.stats.flushes++;
    this.stats.rows += rows;
    this.dropWarned = false;
    this.failureLogged = false;
  }

  /*
   * A listener failing must not fail the write: the rows are in the table, and retrying the
   * INSERT would duplicate them.
   */
  private notify(events: readonly WrittenEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        this.logger?.error(`RecordWriter: an onEventsWritten listener failed: ${messageOf(error)}`);
      }
    }
  }
}

/*
 * request_log as event_log (insertEvents): one array parameter per column, a fixed 8 parameters
 * whatever the batch size; the column list mirrors the request_log entity of @orch/data.
 */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
