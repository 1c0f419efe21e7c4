import { randomUUID } from 'node:crypto';
import { EXECUTION_EVENT_TYPES } from '@orch/contracts';
import { WorkspaceEntity, createDataSourceOptions, createScratchDatabase, type ScratchDatabase } from '@orch/data';
import { DataSource } from 'typeorm';
import { insertEvents } from './event-rows';
import { RecordWriter, type EventRecord, type RecordWriterLogger, type WrittenEvent } from './record-writer';

/*
 * @orch/testing may depend on @orch/execution, so this lib's specs cannot import it (a cycle the
 * module-boundary rule refuses); this is its createTestDatabase on the same helper.
 */
function createTestDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase({
    adminUrl: process.env['TEST_DATABASE_ADMIN_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
    prefix: 'orch_test_',
  });
}

function recordingLogger(): RecordWriterLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (message) => lines.push(`warn ${message}`), error: (message) => lines.push(`error ${message}`) };
}

function eventOf(workspaceId: string, seq: number, overrides: Partial<EventRecord> = {}): EventRecord {
  return { workspaceId, type: EXECUTION_EVENT_TYPES[seq % EXECUTION_EVENT_TYPES.length] ?? 'execution.started', data: { seq }, ...overrides };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(RecordWriter.name, () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function newWorkspace(): Promise<string> {
    return (await dataSource.getRepository(WorkspaceEntity).save({ name: `rec-${randomUUID().slice(0, 8)}-dev` })).id;
  }

  async function seqsOf(workspaceId: string): Promise<number[]> {
    const rows: Array<{ seq: number }> = await dataSource.query(`SELECT (data->>'seq')::int AS seq FROM event_log WHERE workspace_id = $1 ORDER BY id`, [workspaceId]);
    return rows.map((row) => row.seq);
  }

  async function countRequests(workspaceId: string): Promise<number> {
    const rows: Array<{ n: number }> = await dataSource.query(`SELECT count(*)::int AS n FROM request_log WHERE workspace_id = $1`, [workspaceId]);
    return rows[0]?.n ?? 0;
  }

  describe('event', () => {
    it('writes 1000 events in a handful of INSERTs, in append order', async () => {
      const workspaceId = await newWorkspace();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 20, maxBatch: 500 });
      try {
        for (let seq = 0; seq < 1000; seq++) writer.event(eventOf(workspaceId, seq));
        await waitFor(async () => (await seqsOf(workspaceId)).length === 1000);
        expect(await seqsOf(workspaceId)).toEqual(Array.from({ length: 1000 }, (_, seq) => seq));
        expect(writer.stats.flushes).toBeLessThanOrEqual(3);
        expect(writer.stats).toMatchObject({ rows: 1000, dropped: 0, failures: 0 });
      } finally {
        await writer.close();
      }
    });

    it('stores the optional ids and the data as given', async () => {
      const workspaceId = await newWorkspace();
      const writer = new RecordWriter(dataSource);
      const executionId = randomUUID();
      writer.event({ workspaceId, type: 'execution.succeeded', executionId, data: { nested: { ok: true }, list: [1, 2] } });
      writer.event({ workspaceId, type: 'job.queued', jobId: executionId, data: {} });
      await writer.close();
      const rows: Array<{ type: string; execution_id: string | null; job_id: string | null; data: unknown }> = await dataSource.query(
        `SELECT type, execution_id, job_id, data FROM event_log WHERE workspace_id = $1 ORDER BY id`,
        [workspaceId],
      );
      expect(rows).toEqual([
        { type: 'execution.succeeded', execution_id: executionId, job_id: null, data: { nested: { ok: true }, list: [1, 2] } },
        { type: 'job.queued', execution_id: null, job_id: executionId, data: {} },
      ]);
    });

    it('hands written events with their ids to onEventsWritten listeners, and survives a failing listener', async () => {
      const workspaceId = await newWorkspace();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 10_000, logger: recordingLogger() });
      const seen: WrittenEvent[] = [];
      writer.onEventsWritten(() => {
        throw new Error('listener bug');
      });
      const unsubscribe = writer.onEventsWritten((events) => seen.push(...events));
      for (let seq = 0; seq < 3; seq++) writer.event(eventOf(workspaceId, seq));
      await writer.flush();
      const ids: Array<{ id: string }> = await dataSource.query(`SELECT id FROM event_log WHERE workspace_id = $1 ORDER BY id`, [workspaceId]);
      expect(seen.map((event) => [event.id, event.data['seq']])).toEqual(ids.map((row, seq) => [row.id, seq]));
      // The failing listener did not make the batch be written twice.
      expect(await seqsOf(workspaceId)).toEqual([0, 1, 2]);

      unsubscribe();
      writer.event(eventOf(workspaceId, 3));
      await writer.close();
      expect(seen).toHaveLength(3);
    });
  });

  describe('announce', () => {
    it('hands events written elsewhere (insertEvents in a caller’s transaction) to the listeners, the calls of one tick together and in id order', async () => {
      const workspaceId = await newWorkspace();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 10_000 });
      const calls: WrittenEvent[][] = [];
      writer.onEventsWritten((events) => calls.push([...events]));
      const [first, second] = await dataSource.transaction((manager) => insertEvents(manager, [eventOf(workspaceId, 0), eventOf(workspaceId, 1)]));
      writer.announce([second as WrittenEvent]);
      writer.announce([first as WrittenEvent]);
      expect(calls).toEqual([]);
      await waitFor(() => calls.length > 0);
      expect(calls).toEqual([[first, second]]);
      expect(await seqsOf(workspaceId)).toEqual([0, 1]);
      await writer.close();
    });
  });

  describe('request', () => {
    it('writes request rows in one INSERT per batch', async () => {
      const workspaceId = await newWorkspace();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 10_000, maxBatch: 100 });
      for (let i = 0; i < 250; i++) {
        writer.request({ workspaceId, requestId: `req-${i}`, method: 'POST', route: '/v1/executions', status: 200, durationMs: 12.6, connector: 'http', operation: 'get' });
      }
      await writer.close();
      expect(await countRequests(workspaceId)).toBe(250);
      expect(writer.stats.flushes).toBe(3);
      const [row]: Array<Record<string, unknown>> = await dataSource.query(
        `SELECT method, route, status, duration_ms, connector, operation FROM request_log WHERE workspace_id = $1 AND request_id = 'req-0'`,
        [workspaceId],
      );
      expect(row).toEqual({ method: 'POST', route: '/v1/executions', status: 200, duration_ms: 13, connector: 'http', operation: 'get' });
    });
  });

  describe('close', () => {
    it('writes everything still buffered, then drops (and counts) what arrives afterwards', async () => {
      const workspaceId = await newWorkspace();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 60_000, logger: recordingLogger() });
      for (let seq = 0; seq < 1234; seq++) writer.event(eventOf(workspaceId, seq));
      writer.request({ workspaceId, requestId: 'last', method: 'GET', route: '/v1/jobs/:id', status: 404, durationMs: 1 });
      await writer.close();
      expect(await seqsOf(workspaceId)).toHaveLength(1234);
      expect(await countRequests(workspaceId)).toBe(1);
      expect(writer.pending).toBe(0);

      writer.event(eventOf(workspaceId, 9999));
      expect(writer.stats.dropped).toBe(1);
    });
  });

  describe('when the database refuses writes', () => {
    /*
     * Renaming the table makes every INSERT fail for real (42P01) without touching the pool or
     * other tests' tables; renaming it back is the database recovering. This file's database is
     * its own, so no other suite sees the gap.
     */
    async function withEventLogAway(work: () => Promise<void>): Promise<void> {
      await dataSource.query('ALTER TABLE event_log RENAME TO event_log_away');
      try {
        await work();
      } finally {
        await dataSource.query('ALTER TABLE event_log_away RENAME TO event_log');
      }
    }

    it('keeps the rows, retries on the next ticks and writes them once the database is back', async () => {
      const workspaceId = await newWorkspace();
      const logger = recordingLogger();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 10, logger });
      try {
        await withEventLogAway(async () => {
          for (let seq = 0; seq < 20; seq++) writer.event(eventOf(workspaceId, seq));
          await expect(writer.flush()).rejects.toThrow(/event_log/);
          await waitFor(() => writer.stats.failures >= 3);
          expect(writer.stats.rows).toBe(0);
        });
        await waitFor(() => writer.stats.rows === 20);
        expect(await seqsOf(workspaceId)).toEqual(Array.from({ length: 20 }, (_, seq) => seq));
        expect(writer.stats.dropped).toBe(0);
        // One line for the outage, not one per failed tick.
        expect(logger.lines.filter((line) => line.startsWith('error'))).toHaveLength(1);
      } finally {
        await writer.close();
      }
    });

    it('keeps at most maxBuffered rows, dropping the oldest, counting them and warning once', async () => {
      const workspaceId = await newWorkspace();
      const logger = recordingLogger();
      const writer = new RecordWriter(dataSource, { flushIntervalMs: 10, maxBatch: 5, maxBuffered: 10, logger });
      try {
        await withEventLogAway(async () => {
          for (let seq = 0; seq < 25; seq++) writer.event(eventOf(workspaceId, seq));
          await waitFor(() => writer.stats.failures >= 2);
          expect(writer.pending).toBeLessThanOrEqual(10);
        });
        await writer.flush();
        const seqs = await seqsOf(workspaceId);
        // The newest rows survive, in order; everything else is counted as dropped.
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 25 - seqs.length + i));
        expect(seqs.length + writer.stats.dropped).toBe(25);
        expect(writer.stats.dropped).toBeGreaterThanOrEqual(15);
        expect(logger.lines.filter((line) => line.startsWith('warn'))).toHaveLength(1);
      } finally {
        await writer.close();
      }
    });
  });

  describe('constructor', () => {
    it('refuses a batch too large for one statement or a bound below the batch', () => {
      expect(() => new RecordWriter(dataSource, { maxBatch: 100_000 })).toThrow(/maxBatch/);
      expect(() => new RecordWriter(dataSource, { maxBatch: 500, maxBuffered: 10 })).toThrow(/maxBuffered/);
    });
  });
});
