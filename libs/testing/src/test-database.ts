import { createScratchDatabase, type ScratchDatabase } from '@orch/data';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabase = ScratchDatabase;

/**
 * A fresh `orch_test_<hex>` database with every migration applied, on the server of
 * TEST_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres). One per test
 * file keeps parallel runs apart; call drop() in afterAll (it disconnects leftover sessions).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  return createScratchDatabase({ adminUrl: process.env['TEST_DATABASE_ADMIN_URL'] || DEFAULT_ADMIN_URL, prefix: 'orch_test_' });
}
