import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisConnectionOptions } from '@orch/platform';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface TestRedisPrefix {
  prefix: string;
  /** Deletes every key under the prefix. */
  clear(): Promise<void>;
}

/** A key prefix of its own for one test file, so parallel runs never see each other's keys. */
export function createTestRedisPrefix(url = TEST_REDIS_URL): TestRedisPrefix {
  const prefix = `orch_test_${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async clear() {
      const client = new Redis({ ...redisConnectionOptions(url), maxRetriesPerRequest: 1, lazyConnect: true });
      try {
        await client.connect();
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await client.del(...keys);
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
    },
  };
}
