import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AnnouncedEvent } from './event-announcer';
import { EventHub } from './event-hub';
import { EventStream, type EventStreamOptions, type EventStreamSink } from './event-stream';

function announced(row: Row): AnnouncedEvent {
  return { id: row.id, type: row.type, job_id: row.job_id, execution_id: row.execution_id, data: row.data, created_at: row.created_at };
}

interface Row extends AnnouncedEvent {
  workspace_id: string;
  /** Committed: visible to queries. */
  visible: boolean;
}

/** event_log in memory, answering the two statements the event query sends. */
class FakeEventLog {
  readonly rows: Row[] = [];
  private nextId = 1;

  /** Takes an id like an INSERT; visible (committed) unless told otherwise. */
  insert(workspaceId: string, type: string, options: { jobId?: string; visible?: boolean } = {}): Row {
    const row: Row = { id: String(this.nextId++), workspace_id: workspaceId, type, job_id: options.jobId ?? null, execution_id: null, data: {}, created_at: new Date(0).toISOString(), visible: options.visible ?? true };
    this.rows.push(row);
    return row;
  }

  readonly dataSource = {
    query: async (sql: string, params: unknown[]): Promise<unknown[]> => {
      const visible = this.rows.filter((r) => r.visible && r.workspace_id === params[0]);
      if (sql.includes('max(id)')) return [{ id: visible.length ? visible[visible.length - 1].id : null }];
      const param = (pattern: RegExp): unknown => {
        const match = pattern.exec(sql);
        return match ? params[Number(match[1]) - 1] : undefined;
      };
      const after = param(/id > \$(\d+)/);
      const jobId = param(/job_id = \$(\d+)/);
      const types = param(/type = ANY\(\$(\d+)/) as string[] | undefined;
      const limit = Number(param(/LIMIT \$(\d+)/));
      return visible
        .filter((r) => (after === undefined || BigInt(r.id) > BigInt(after as string)) && (jobId === undefined || r.job_id === jobId) && (types === undefined || types.includes(r.type)))
        .sort((x, y) => Number(BigInt(x.id) - BigInt(y.id)))
        .slice(0, limit)
        .map(announced);
    },
  } as unknown as DataSource;
}

/** A subscriber connection: SUBSCRIBE/UNSUBSCRIBE recorded, messages injected with publish(). */
class FakeSubscriber extends EventEmitter {
  readonly channels = new Set<string>();
  status = 'ready';
  async subscribe(channel: string): Promise<number> {
    this.channels.add(channel);
    return this.channels.size;
  }
  async unsubscribe(channel: string): Promise<number> {
    this.channels.delete(channel);
    return this.channels.size;
  }
  async quit(): Promise<'OK'> {
    return 'OK';
  }
  disconnect(): void {
    this.status = 'end';
  }
  publish(channel: string, events: AnnouncedEvent[]): void {
    if (this.channels.has(channel)) this.emit('message', channel, JSON.stringify(events));
  }
}

class MemorySink implements EventStreamSink {
  readonly chunks: string[] = [];
  full = false;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return !this.full;
  }
  drained(): Promise<void> {
    return new Promise(() => undefined);
  }
  /** [sse id, event id] per message. */
  get sent(): Array<[string, string]> {
    return this.chunks.map((c) => [/^id: (\d+)/.exec(c)?.[1] ?? '', (JSON.parse(/data: (.*)\n/.exec(c)?.[1] ?? '{}') as { id: string }).id]);
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

function setUp(options: Partial<EventStreamOptions> = {}) {
  const log = new FakeEventLog();
  const subscriber = new FakeSubscriber();
  const hub = new EventHub(subscriber as unknown as Redis, 'p:');
  const sink = new MemorySink();
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const stream = new EventStream(log.dataSource, hub, sink, { workspaceId: 'ws-a', filters: {}, rereadMs: 60_000, settleMs: 10_000, clock: () => now, ...options });
  const announce = (...rows: Row[]): void => subscriber.publish('p:events:ws-a', rows.map(announced));
  // Runs one re-read now, as the timer would.
  const reread = async (): Promise<void> => {
    (stream as unknown as { scheduleReread(): void }).scheduleReread();
    await flush();
  };
  return { log, subscriber, hub, sink, stream, announce, reread, clock };
}

describe(EventStream.name, () => {
  describe('start', () => {
    it('sends the backlog after the resume point, then live events, each once', async () => {
      const { log, sink, stream, announce } = setUp({ after: '1' });
      const rows = [log.insert('ws-a', 'job.queued'), log.insert('ws-a', 'job.started'), log.insert('ws-a', 'run.started')];
      await stream.start();
      // The live announcement of a row the backlog already sent is skipped.
      announce(rows[2]);
      const live = log.insert('ws-a', 'run.succeeded');
      announce(live);
      await flush();
      expect(sink.sent).toEqual([
        ['2', '2'],
        ['3', '3'],
        ['4', '4'],
      ]);
      stream.stop();
    });

    it('holds live events that arrive during the backlog until the backlog is sent', async () => {
      const { log, sink, stream, announce } = setUp({ after: '0' });
      const backlog = [log.insert('ws-a', 'job.queued'), log.insert('ws-a', 'job.started')];
      const starting = stream.start();
      // Subscribed, backlog not read yet: this announcement must come after it, once.
      await Promise.resolve();
      const live = log.insert('ws-a', 'run.started');
      announce(backlog[1], live);
      await starting;
      await flush();
      expect(sink.sent).toEqual([
        ['1', '1'],
        ['2', '2'],
        ['3', '3'],
      ]);
      stream.stop();
    });

    it('starts after the latest event without a resume point', async () => {
      const { log, sink, stream, announce } = setUp();
      log.insert('ws-a', 'job.queued');
      await stream.start();
      announce(log.insert('ws-a', 'job.started'));
      await flush();
      expect(sink.sent).toEqual([['2', '2']]);
      stream.stop();
    });

    it('applies the filters to live events', async () => {
      const { log, sink, stream, announce } = setUp({ after: '0', filters: { jobId: 'j1', types: ['run.failed'] } });
      await stream.start();
      announce(log.insert('ws-a', 'run.failed', { jobId: 'j2' }), log.insert('ws-a', 'job.queued', { jobId: 'j1' }), log.insert('ws-a', 'run.failed', { jobId: 'j1' }));
      await flush();
      expect(sink.sent).toEqual([['3', '3']]);
      stream.stop();
    });
  });

  describe('re-read', () => {
    it('sends an id committed after a larger one, with the cursor as its SSE id', async () => {
      const { log, sink, stream, announce, reread } = setUp({ after: '0' });
      await stream.start();
      const late = log.insert('ws-a', 'run.started', { visible: false });
      announce(log.insert('ws-a', 'job.started'));
      await flush();
      late.visible = true;
      await reread();
      expect(sink.sent).toEqual([
        ['2', '2'],
        ['2', '1'],
      ]);
      // A live announcement of it now is a duplicate.
      announce(late);
      await reread();
      expect(sink.sent).toHaveLength(2);
      stream.stop();
    });

    it('catches up on announcements that never arrived', async () => {
      const { log, sink, stream, reread } = setUp({ after: '0' });
      await stream.start();
      log.insert('ws-a', 'job.queued');
      log.insert('ws-a', 'job.started');
      await reread();
      expect(sink.sent.map(([, id]) => id)).toEqual(['1', '2']);
      stream.stop();
    });

    it('gives up on an id that stays uncommitted longer than settleMs', async () => {
      const { log, sink, stream, announce, reread, clock } = setUp({ after: '0' });
      await stream.start();
      const late = log.insert('ws-a', 'run.started', { visible: false });
      announce(log.insert('ws-a', 'job.started'));
      await reread(); // snapshot: cursor 2
      clock.advance(10_000);
      await reread(); // settles up to 2
      late.visible = true;
      announce(late);
      await reread();
      expect(sink.sent).toEqual([['2', '2']]);
      stream.stop();
    });
  });

  it('ends a stream whose client stops reading once maxQueued live batches wait', async () => {
    const onEnd = jest.fn();
    const { log, sink, stream, announce, subscriber } = setUp({ after: '0', maxQueued: 3, onEnd });
    await stream.start();
    sink.full = true;
    for (let i = 0; i < 5; i++) announce(log.insert('ws-a', 'job.queued'));
    await flush();
    expect(onEnd).toHaveBeenCalledWith('slow-client', undefined);
    expect(subscriber.channels.size).toBe(0);
  });
});

describe(EventHub.name, () => {
  it('subscribes a workspace channel while it has listeners and delivers only its messages', async () => {
    const subscriber = new FakeSubscriber();
    const hub = new EventHub(subscriber as unknown as Redis, 'p:');
    const seenA: string[] = [];
    const seenB: string[] = [];
    const stopA1 = await hub.subscribe('a', (events) => seenA.push(...events.map((e) => e.id)));
    const stopA2 = await hub.subscribe('a', () => undefined);
    const stopB = await hub.subscribe('b', (events) => seenB.push(...events.map((e) => e.id)));
    expect([...subscriber.channels].sort()).toEqual(['p:events:a', 'p:events:b']);
    subscriber.publish('p:events:a', [{ id: '1', type: 'job.queued', job_id: null, execution_id: null, data: {}, created_at: '' }]);
    expect(seenA).toEqual(['1']);
    expect(seenB).toEqual([]);
    stopA1();
    expect(subscriber.channels.has('p:events:a')).toBe(true);
    stopA2();
    stopB();
    await flush();
    expect(subscriber.channels.size).toBe(0);
    expect(hub.channelCount).toBe(0);
    await hub.close();
  });
});
