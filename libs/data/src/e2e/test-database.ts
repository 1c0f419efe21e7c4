import { createScratchDatabase, type ScratchDatabase } from '../database/database-admin';

/*
 * The e2e specs of this lib cannot import @orch/testing (it depends on @orch/data: a cycle,
 * and type:data may not depend on type:testing), so they use this twin of its
 * createTestDatabase, built on the same createScratchDatabase.
 */
export function createTestDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase({
    adminUrl: process.env['TEST_DATABASE_ADMIN_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
    prefix: 'orch_test_',
  });
}
