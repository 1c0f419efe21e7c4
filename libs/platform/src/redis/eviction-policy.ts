import type { Redis } from 'ioredis';
import type { OrchEnv } from '../config/base-config';

export type EvictionVerdict = { action: 'ok' } | { action: 'warn' | 'refuse'; message: string };

/**
 * BullMQ queues, rate-limit buckets and breaker state live in Redis: an evicting policy
 * silently drops accepted work. Production refuses to run on anything but noeviction; dev
 * and test only warn.
 */
export function evictionPolicyVerdict(policy: string | undefined, env: OrchEnv): EvictionVerdict {
  if (policy === 'noeviction') return { action: 'ok' };
  const message =
    policy === undefined
      ? 'Could not read Redis maxmemory-policy (CONFIG GET refused?); it must be noeviction or queued work may be evicted'
      : `Redis maxmemory-policy is "${policy}"; it must be noeviction or queued work may be evicted`;
  return { action: env === 'prod' ? 'refuse' : 'warn', message };
}

export async function readEvictionPolicy(client: Redis): Promise<string | undefined> {
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}
