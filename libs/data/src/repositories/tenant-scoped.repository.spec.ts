import { DomainError } from '@orch/contracts';
import type { Repository } from 'typeorm';
import { JobEntity } from '../entities/job.entity';
import { TenantScopedRepository, assertWorkspaceId } from './tenant-scoped.repository';

const WORKSPACE_A = '0b7c8f0e-2f8e-4d7a-9d55-1f0f7c7d9a11';
const WORKSPACE_B = '6f1d0c57-8a52-4a43-b1b3-51b1a0d7d3c2';

/** Records what reaches TypeORM; the database-backed behaviour is covered by the e2e spec. */
function fakeRepository() {
  const calls = { findOne: [] as unknown[], count: [] as unknown[], insert: [] as unknown[], update: [] as unknown[][], delete: [] as unknown[] };
  const repository = {
    metadata: { name: 'JobEntity', findColumnWithPropertyName: (property: string) => ({ databaseName: property }), relations: [], columns: [] },
    findOne: async (options: unknown) => (calls.findOne.push(options), null),
    count: async (options: unknown) => (calls.count.push(options), 0),
    create: (values: object) => ({ ...values }),
    insert: async (entity: unknown) => (calls.insert.push(entity), { generatedMaps: [] }),
    update: async (...args: unknown[]) => (calls.update.push(args), { affected: 1 }),
    delete: async (criteria: unknown) => (calls.delete.push(criteria), { affected: 1 }),
  };
  return { calls, repository: repository as unknown as Repository<JobEntity> };
}

describe(TenantScopedRepository.name, () => {
  describe('types', () => {
    it('demands the workspace id as the first argument of every query', async () => {
      const { repository } = fakeRepository();
      const jobs = new TenantScopedRepository(repository);
      // @ts-expect-error a where without a workspace id does not compile
      await expect(jobs.findOne({ id: WORKSPACE_B })).rejects.toThrow(TypeError);
      // @ts-expect-error the workspace comes from the argument, never from the filter
      await jobs.findOne(WORKSPACE_A, { workspaceId: WORKSPACE_B });
      // @ts-expect-error nor from the inserted values
      await jobs.insert(WORKSPACE_A, { workspaceId: WORKSPACE_B, connector: 'c', operation: 'o' });
    });
  });

  describe('findOne', () => {
    it('adds the workspace to the where, over any smuggled workspace id', async () => {
      const { calls, repository } = fakeRepository();
      const jobs = new TenantScopedRepository(repository);
      const smuggled = { id: 'x', workspaceId: WORKSPACE_B } as unknown as { id: string };
      await jobs.findOne(WORKSPACE_A, smuggled);
      expect(calls.findOne).toEqual([{ where: { id: 'x', workspaceId: WORKSPACE_A } }]);
    });

    it('rejects a workspace id that is not a UUID', async () => {
      const jobs = new TenantScopedRepository(fakeRepository().repository);
      await expect(jobs.findOne('', { id: 'x' })).rejects.toThrow('workspaceId must be a UUID');
      await expect(jobs.findOne(undefined as unknown as string, { id: 'x' })).rejects.toThrow(TypeError);
    });
  });

  describe('insert', () => {
    it('forces the workspace id into the row', async () => {
      const { calls, repository } = fakeRepository();
      const values = { connector: 'stripe', operation: 'charge', workspaceId: WORKSPACE_B } as unknown as { connector: string };
      const row = await new TenantScopedRepository(repository).insert(WORKSPACE_A, values);
      expect(calls.insert).toEqual([{ connector: 'stripe', operation: 'charge', workspaceId: WORKSPACE_A }]);
      expect(row.workspaceId).toBe(WORKSPACE_A);
    });
  });

  describe('count', () => {
    it('counts within the workspace when no filter is given', async () => {
      const { calls, repository } = fakeRepository();
      await new TenantScopedRepository(repository).count(WORKSPACE_A);
      expect(calls.count).toEqual([{ where: { workspaceId: WORKSPACE_A } }]);
    });
  });

  describe('update', () => {
    it('scopes the criteria and strips a workspace change from the patch', async () => {
      const { calls, repository } = fakeRepository();
      const patch = { status: 'cancelled', workspaceId: WORKSPACE_B } as unknown as { status: 'cancelled' };
      await expect(new TenantScopedRepository(repository).update(WORKSPACE_A, { id: 'x' }, patch)).resolves.toBe(1);
      expect(calls.update).toEqual([[{ id: 'x', workspaceId: WORKSPACE_A }, { status: 'cancelled' }]]);
    });

    it('refuses an empty filter that would touch the whole workspace', async () => {
      const jobs = new TenantScopedRepository(fakeRepository().repository);
      await expect(jobs.update(WORKSPACE_A, {}, { status: 'cancelled' })).rejects.toThrow('at least one condition');
    });
  });

  describe('delete', () => {
    it('scopes the criteria and refuses an empty filter', async () => {
      const { calls, repository } = fakeRepository();
      const jobs = new TenantScopedRepository(repository);
      await jobs.delete(WORKSPACE_A, { id: 'x' });
      expect(calls.delete).toEqual([{ id: 'x', workspaceId: WORKSPACE_A }]);
      await expect(jobs.delete(WORKSPACE_A, {})).rejects.toThrow('at least one condition');
    });
  });

  describe('find', () => {
    it.each([0, 201, 1.5])('rejects limit %p as VALIDATION_FAILED', async (limit) => {
      const jobs = new TenantScopedRepository(fakeRepository().repository, { sortKey: 'createdAt' });
      await expect(jobs.find(WORKSPACE_A, { limit })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it.each([
      ['not base64 json', 'not-a-cursor'],
      ['wrong arity', Buffer.from(JSON.stringify(['0b7c8f0e-2f8e-4d7a-9d55-1f0f7c7d9a11'])).toString('base64url')],
      ['bad time', Buffer.from(JSON.stringify(['yesterday', WORKSPACE_A])).toString('base64url')],
      ['bad id', Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', "1' OR '1'='1"])).toString('base64url')],
    ])('rejects a cursor with %s as VALIDATION_FAILED', async (_case, cursor) => {
      const jobs = new TenantScopedRepository(fakeRepository().repository, { sortKey: 'createdAt' });
      const error = await jobs.find(WORKSPACE_A, { cursor }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
});

describe('assertWorkspaceId', () => {
  it('accepts a UUID and nothing else', () => {
    expect(() => assertWorkspaceId(WORKSPACE_A)).not.toThrow();
    expect(() => assertWorkspaceId('demo-dev')).toThrow(TypeError);
    expect(() => assertWorkspaceId(42)).toThrow(TypeError);
  });
});
