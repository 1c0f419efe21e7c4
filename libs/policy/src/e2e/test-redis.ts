// e2e support for this library's specs (not exported): a key prefix of the run's own and its
// cleanup. libs/policy may not import @orch/testing (module boundaries), hence this small twin.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A prefix unique to this spec file: every client made here writes under it. */
export const testPrefix = `orch_test_policy_${randomBytes(6).toString('hex')}:`;

export function testClient(): Redis {
  return new Redis(TEST_REDIS_URL, { keyPrefix: testPrefix, maxRetriesPerRequest: 1 });
}

/** Deletes every key under the prefix, then disconnects the given clients. */
export async function clearTestKeys(clients: readonly Redis[]): Promise<void> {
  const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${testPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
    for (const c of clients) c.disconnect();
  }
}
