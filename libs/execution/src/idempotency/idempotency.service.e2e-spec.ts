import { randomUUID } from 'node:crypto';
import { DomainError } from '@orch/contracts';
import { WorkspaceEntity, createDataSourceOptions, createScratchDatabase, type ScratchDatabase } from '@orch/data';
import { DataSource } from 'typeorm';
import { IdempotencyService, type IdempotencyBeginResult, type IdempotencyClaim } from './idempotency.service';

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

const ENDPOINT = 'POST /v1/executions';

/** A clock the test moves by hand, so leases and TTLs expire without sleeping. */
function manualClock(start = Date.parse('2026-03-01T12:00:00.000Z')): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms) };
}

function claimOf(result: IdempotencyBeginResult): IdempotencyClaim {
  if (result.kind !== 'proceed') throw new Error(`expected proceed, got ${result.kind}`);
  return result.claim;
}

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe(IdempotencyService.name, () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;
  let workspaceA: string;
  let workspaceB: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
    const workspaces = dataSource.getRepository(WorkspaceEntity);
    workspaceA = (await workspaces.save({ name: 'idem-a-dev' })).id;
    workspaceB = (await workspaces.save({ name: 'idem-b-dev' })).id;
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const rowCount = async (key: string): Promise<number> =>
    Number((await dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1`, [key]))[0].n);

  describe('begin', () => {
    it('proceeds on first use, then replays the stored response for the same body in any key order', async () => {
      const service = new IdempotencyService(dataSource);
      const key = randomUUID();
      const first = await service.begin({ workspaceId: workspaceA, endpoint: ENDPOINT, key, fingerprint: service.fingerprint(JSON.parse('{"a":1,"b":{"c":2,"d":[1,2]}}')) });
      const claim = claimOf(first);
      const response = { status: 201, body: { id: 'exec-1', result: { ok: true, list: [3, 1] } }, headers: { location: '/v1/executions/exec-1', 'x-custom': 'v' } };
      expect(await service.complete(claim, response)).toBe(true);

      const repeat = await service.begin({ workspaceId: workspaceA, endpoint: ENDPOINT, key, fingerprint: service.fingerprint(JSON.parse('{ "b": { "d": [1, 2], "c": 2 }, "a": 1 }')) });
      expect(repeat).toEqual({ kind: 'replay', ...response });
      expect(await rowCount(key)).toBe(1);
    });

    it('replays a stored array or null body unchanged', async () => {
      const service = new IdempotencyService(dataSource);
      const key = randomUUID();
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key, fingerprint: service.fingerprint({}) };
      await service.complete(claimOf(await service.begin(input)), { status: 200, body: [1, 'two'], headers: {} });
      expect(await service.begin(input)).toEqual({ kind: 'replay', status: 200, body: [1, 'two'], headers: {} });
    });

    it('refuses a different body with IDEMPOTENCY_KEY_REUSED (422), completed or in flight', async () => {
      const service = new IdempotencyService(dataSource);
      const completedKey = randomUUID();
      const scope = { workspaceId: workspaceA, endpoint: ENDPOINT };
      const claim = claimOf(await service.begin({ ...scope, key: completedKey, fingerprint: service.fingerprint({ amount: 1 }) }));
      await service.complete(claim, { status: 200, body: {}, headers: {} });
      const reused = await errorOf(service.begin({ ...scope, key: completedKey, fingerprint: service.fingerprint({ amount: 2 }) }));
      expect([reused.code, reused.status]).toEqual(['IDEMPOTENCY_KEY_REUSED', 422]);

      const inFlightKey = randomUUID();
      await service.begin({ ...scope, key: inFlightKey, fingerprint: service.fingerprint({ amount: 1 }) });
      expect((await errorOf(service.begin({ ...scope, key: inFlightKey, fingerprint: service.fingerprint({ amount: 2 }) }))).code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('answers IDEMPOTENCY_IN_PROGRESS (409) while the first request is in flight', async () => {
      const service = new IdempotencyService(dataSource);
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({ x: 1 }) };
      claimOf(await service.begin(input));
      const error = await errorOf(service.begin(input));
      expect([error.code, error.status]).toEqual(['IDEMPOTENCY_IN_PROGRESS', 409]);
    });

    it('lets exactly one of 50 concurrent requests from separate pools proceed; the others get 409', async () => {
      // Five DataSources stand for five replicas, each with its own pool of connections.
      const replicas = await Promise.all(
        Array.from({ length: 5 }, () => new DataSource(createDataSourceOptions({ url: database.url, poolSize: 10 })).initialize()),
      );
      try {
        const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: new IdempotencyService(dataSource).fingerprint({ n: 1 }) };
        const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => new IdempotencyService(replicas[i % replicas.length] as DataSource).begin(input)));
        const proceeded = outcomes.filter((o) => o.status === 'fulfilled' && o.value.kind === 'proceed');
        const conflicts = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof DomainError && o.reason.code === 'IDEMPOTENCY_IN_PROGRESS');
        expect(proceeded).toHaveLength(1);
        expect(conflicts).toHaveLength(49);
        expect(await rowCount(input.key)).toBe(1);
      } finally {
        await Promise.all(replicas.map((replica) => replica.destroy()));
      }
    });

    it('keeps the same key in two workspaces, or on two endpoints, independent', async () => {
      const service = new IdempotencyService(dataSource);
      const key = randomUUID();
      const fingerprint = service.fingerprint({ same: true });
      expect((await service.begin({ workspaceId: workspaceA, endpoint: ENDPOINT, key, fingerprint })).kind).toBe('proceed');
      expect((await service.begin({ workspaceId: workspaceB, endpoint: ENDPOINT, key, fingerprint })).kind).toBe('proceed');
      expect((await service.begin({ workspaceId: workspaceA, endpoint: 'POST /v1/jobs', key, fingerprint })).kind).toBe('proceed');
      // A different body is no reuse across scopes either.
      expect((await service.begin({ workspaceId: workspaceB, endpoint: 'POST /v1/jobs', key, fingerprint: service.fingerprint({ other: 1 }) })).kind).toBe('proceed');
    });

    it('lets one request take over a claim whose holder died (lease expired); the holder can no longer complete', async () => {
      const clock = manualClock();
      const service = new IdempotencyService(dataSource, { leaseMs: 1_000, clock: clock.now });
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({ y: 1 }) };
      const dead = claimOf(await service.begin(input));
      clock.advance(999);
      expect((await errorOf(service.begin(input))).code).toBe('IDEMPOTENCY_IN_PROGRESS');

      clock.advance(1);
      const takers = await Promise.allSettled(Array.from({ length: 10 }, () => service.begin(input)));
      const winners = takers.flatMap((t) => (t.status === 'fulfilled' && t.value.kind === 'proceed' ? [t.value.claim] : []));
      expect(winners).toHaveLength(1);
      expect(takers.filter((t) => t.status === 'rejected' && t.reason instanceof DomainError && t.reason.code === 'IDEMPOTENCY_IN_PROGRESS')).toHaveLength(9);

      const winner = winners[0] as IdempotencyClaim;
      expect(winner.id).toBe(dead.id);
      expect(await service.complete(dead, { status: 200, body: { from: 'dead' }, headers: {} })).toBe(false);
      expect(await service.release(dead)).toBe(false);
      expect(await service.complete(winner, { status: 200, body: { from: 'taker' }, headers: {} })).toBe(true);
      expect(await service.begin(input)).toMatchObject({ kind: 'replay', body: { from: 'taker' } });
    });

    it('lets the holder complete after its lease ran out when nobody took over', async () => {
      const clock = manualClock();
      const service = new IdempotencyService(dataSource, { leaseMs: 1_000, clock: clock.now });
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({}) };
      const claim = claimOf(await service.begin(input));
      clock.advance(5_000);
      expect(await service.complete(claim, { status: 202, body: { late: true }, headers: {} })).toBe(true);
      expect(await service.begin(input)).toMatchObject({ kind: 'replay', status: 202 });
    });

    it('treats a real tiny lease as expired once it passes (database round trip, real clock)', async () => {
      const service = new IdempotencyService(dataSource, { leaseMs: 1 });
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({}) };
      const dead = claimOf(await service.begin(input));
      await new Promise((resolve) => setTimeout(resolve, 10));
      const taken = claimOf(await service.begin(input));
      expect(taken.lockedUntil.getTime()).toBeGreaterThan(dead.lockedUntil.getTime());
    });
  });

  describe('release', () => {
    it('forgets the claim so the next request with the key proceeds (even with another body)', async () => {
      const service = new IdempotencyService(dataSource);
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({ z: 1 }) };
      const claim = claimOf(await service.begin(input));
      expect(await service.release(claim)).toBe(true);
      expect(await rowCount(input.key)).toBe(0);
      expect((await service.begin({ ...input, fingerprint: service.fingerprint({ z: 2 }) })).kind).toBe('proceed');
    });

    it('never deletes a completed response', async () => {
      const service = new IdempotencyService(dataSource);
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({}) };
      const claim = claimOf(await service.begin(input));
      await service.complete(claim, { status: 200, body: null, headers: {} });
      expect(await service.release(claim)).toBe(false);
      expect(await service.complete(claim, { status: 500, body: null, headers: {} })).toBe(false);
      expect(await service.begin(input)).toEqual({ kind: 'replay', status: 200, body: null, headers: {} });
    });
  });

  describe('expiry', () => {
    it('treats an expired row as absent: exactly one of many concurrent requests replaces it', async () => {
      const clock = manualClock();
      const service = new IdempotencyService(dataSource, { ttlMs: 60_000, clock: clock.now });
      const input = { workspaceId: workspaceA, endpoint: ENDPOINT, key: randomUUID(), fingerprint: service.fingerprint({ v: 1 }) };
      await service.complete(claimOf(await service.begin(input)), { status: 200, body: { v: 1 }, headers: {} });
      clock.advance(60_000);

      // A different body is fine: the old row no longer counts.
      const next = { ...input, fingerprint: service.fingerprint({ v: 2 }) };
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => service.begin(next)));
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.kind === 'proceed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof DomainError && o.reason.code === 'IDEMPOTENCY_IN_PROGRESS')).toHaveLength(9);
      expect(await rowCount(input.key)).toBe(1);
    });

    it('purges expired rows in batches, keeps live ones, and a new request with the key proceeds', async () => {
      const clock = manualClock(Date.parse('2026-04-01T00:00:00.000Z'));
      const service = new IdempotencyService(dataSource, { ttlMs: 60_000, clock: clock.now });
      const expiredKeys = Array.from({ length: 7 }, () => randomUUID());
      for (const key of expiredKeys) {
        const claim = claimOf(await service.begin({ workspaceId: workspaceB, endpoint: ENDPOINT, key, fingerprint: service.fingerprint({ key }) }));
        await service.complete(claim, { status: 200, body: {}, headers: {} });
      }
      clock.advance(30_000);
      const liveKey = randomUUID();
      await service.begin({ workspaceId: workspaceB, endpoint: ENDPOINT, key: liveKey, fingerprint: service.fingerprint({}) });
      clock.advance(30_000);

      // Rows other tests left behind with their own clocks may be expired at this one too.
      const expired = await countExpired(dataSource, clock.now());
      expect(expired).toBeGreaterThanOrEqual(expiredKeys.length);
      expect(await service.purgeExpired(3)).toBe(expired);
      for (const key of expiredKeys) expect(await rowCount(key)).toBe(0);
      expect(await rowCount(liveKey)).toBe(1);
      expect(await service.purgeExpired()).toBe(0);

      const again = await service.begin({ workspaceId: workspaceB, endpoint: ENDPOINT, key: expiredKeys[0] as string, fingerprint: service.fingerprint({ new: true }) });
      expect(again.kind).toBe('proceed');
    });
  });
});

async function countExpired(dataSource: DataSource, now: number): Promise<number> {
  const rows: Array<{ n: number }> = await dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at <= $1`, [new Date(now)]);
  return rows[0]?.n ?? 0;
}
