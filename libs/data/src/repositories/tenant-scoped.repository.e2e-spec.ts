import { DataSource, In } from 'typeorm';
import { createDataSourceOptions } from '../data-source';
import type { ScratchDatabase } from '../database/database-admin';
import { createTestDatabase } from '../e2e/test-database';
import { EventLogEntity } from '../entities/event-log.entity';
import { JobEntity } from '../entities/job.entity';
import { WorkspaceEntity } from '../entities/workspace.entity';
import { TenantScopedRepository } from './tenant-scoped.repository';

describe(TenantScopedRepository.name, () => {
  let database: ScratchDatabase;
  let dataSource: DataSource;
  let jobs: TenantScopedRepository<JobEntity>;
  let events: TenantScopedRepository<EventLogEntity>;
  let workspaceA: string;
  let workspaceB: string;
  let jobOfB: JobEntity;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(createDataSourceOptions({ url: database.url })).initialize();
    jobs = new TenantScopedRepository(dataSource.getRepository(JobEntity), { sortKey: 'createdAt' });
    events = new TenantScopedRepository(dataSource.getRepository(EventLogEntity));
    const workspaces = dataSource.getRepository(WorkspaceEntity);
    workspaceA = (await workspaces.save({ name: 'tenant-a-dev' })).id;
    workspaceB = (await workspaces.save({ name: 'tenant-b-dev' })).id;
    jobOfB = await jobs.insert(workspaceB, { connector: 'stripe', operation: 'charge', payload: { amount: 1 } });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  describe('insert', () => {
    it('returns the row with its generated and default columns', async () => {
      const job = await jobs.insert(workspaceA, { connector: 'http', operation: 'get' });
      expect(job).toMatchObject({ workspaceId: workspaceA, status: 'queued', attempts: 0, maxAttempts: 3, cancelRequested: false, callbackUrl: null });
      expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(job.createdAt).toBeInstanceOf(Date);
      expect(await jobs.findOne(workspaceA, { id: job.id })).toEqual(job);
    });
  });

  describe('isolation', () => {
    it("never shows workspace B's row through workspace A", async () => {
      expect(await jobs.findOne(workspaceA, { id: jobOfB.id })).toBeNull();
      expect((await jobs.find(workspaceA, { where: { id: jobOfB.id } })).items).toEqual([]);
      expect(await jobs.count(workspaceA, { id: jobOfB.id })).toBe(0);
      expect(await jobs.findOne(workspaceB, { id: jobOfB.id })).toMatchObject({ id: jobOfB.id, workspaceId: workspaceB });
    });

    it("never changes or deletes workspace B's row through workspace A", async () => {
      expect(await jobs.update(workspaceA, { id: jobOfB.id }, { status: 'cancelled' })).toBe(0);
      expect(await jobs.delete(workspaceA, { id: jobOfB.id })).toBe(0);
      expect(await jobs.findOne(workspaceB, { id: jobOfB.id })).toMatchObject({ status: 'queued' });
    });

    it('refuses an undefined filter value instead of matching every row', async () => {
      await expect(jobs.findOne(workspaceB, { id: undefined })).rejects.toThrow(/Undefined value/);
    });
  });

  describe('update', () => {
    it('changes only the matching rows of the workspace and moves updated_at', async () => {
      const job = await jobs.insert(workspaceA, { connector: 'http', operation: 'post' });
      expect(await jobs.update(workspaceA, { id: job.id }, { status: 'running', attempts: 1 })).toBe(1);
      const updated = await jobs.findOne(workspaceA, { id: job.id });
      expect(updated).toMatchObject({ status: 'running', attempts: 1 });
      expect(updated?.updatedAt.getTime()).toBeGreaterThanOrEqual(job.updatedAt.getTime());
    });
  });

  describe('find', () => {
    let pageWorkspace: string;
    let inserted: JobEntity[];

    beforeAll(async () => {
      pageWorkspace = (await dataSource.getRepository(WorkspaceEntity).save({ name: 'paging-dev' })).id;
      inserted = [];
      // Several rows share a millisecond, so the id tie-breaker is exercised.
      for (let i = 0; i < 7; i++) inserted.push(await jobs.insert(pageWorkspace, { connector: 'http', operation: `op-${i}` }));
      await dataSource.query(`UPDATE jobs SET created_at = '2026-01-01T00:00:00.000Z' WHERE workspace_id = $1 AND operation IN ('op-2', 'op-3', 'op-4')`, [
        pageWorkspace,
      ]);
    });

    const walk = async (order: 'asc' | 'desc', limit: number) => {
      const seen: JobEntity[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await jobs.find(pageWorkspace, { order, limit, cursor });
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      return { seen, pages };
    };

    it.each(['asc', 'desc'] as const)('pages %s through every row exactly once, in (created_at, id) order', async (order) => {
      const { seen, pages } = await walk(order, 2);
      expect(pages).toBe(4);
      const expected = [...(await dataSource.getRepository(JobEntity).findBy({ workspaceId: pageWorkspace }))].sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
      );
      if (order === 'desc') expected.reverse();
      expect(seen.map((job) => job.id)).toEqual(expected.map((job) => job.id));
      expect(new Set(seen.map((job) => job.id)).size).toBe(inserted.length);
    });

    it('applies the filter together with the cursor', async () => {
      const first = await jobs.find(pageWorkspace, { where: { operation: In(['op-1', 'op-5', 'op-6']) }, limit: 2, order: 'asc' });
      expect(first.items).toHaveLength(2);
      const rest = await jobs.find(pageWorkspace, { where: { operation: In(['op-1', 'op-5', 'op-6']) }, limit: 2, order: 'asc', cursor: first.nextCursor });
      expect(rest).toMatchObject({ nextCursor: null });
      expect([...first.items, ...rest.items].map((job) => job.operation).sort()).toEqual(['op-1', 'op-5', 'op-6']);
    });

    it('pages identity-keyed tables by id alone', async () => {
      for (const type of ['job.queued', 'job.running', 'job.succeeded']) await events.insert(pageWorkspace, { type, data: {} });
      const first = await events.find(pageWorkspace, { order: 'asc', limit: 2 });
      const second = await events.find(pageWorkspace, { order: 'asc', limit: 2, cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((event) => event.type)).toEqual(['job.queued', 'job.running', 'job.succeeded']);
      expect(second.nextCursor).toBeNull();
      expect(BigInt(first.items[1].id)).toBeGreaterThan(BigInt(first.items[0].id));
    });
  });
});
