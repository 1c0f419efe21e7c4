import { type AppDefinition, type BootLog, createRedisClient, evictionPolicyVerdict, readEvictionPolicy } from '@orch/platform';
import { AppModule } from './app.module';
import { WorkerConfig } from './config';

/** Refuses (prod) or warns (dev) unless Redis will never evict queued work. */
export async function checkRedisEvictionPolicy(config: WorkerConfig, log: BootLog): Promise<void> {
  const client = createRedisClient({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX });
  client.on('error', () => undefined);
  try {
    const verdict = evictionPolicyVerdict(await readEvictionPolicy(client), config.ORCH_ENV);
    if (verdict.action === 'refuse') throw new Error(verdict.message);
    if (verdict.action === 'warn') log.warn(verdict.message);
  } finally {
    client.disconnect();
  }
}

export const workerApp: AppDefinition<WorkerConfig> = {
  serviceName: 'worker',
  description: 'Runs queued work (jobs, webhooks, callbacks, maintenance). Its HTTP port serves health, readiness and metrics only.',
  configClass: WorkerConfig,
  port: (config) => config.WORKER_PORT,
  module: (config) => AppModule.forRoot(config),
  preflight: checkRedisEvictionPolicy,
};
