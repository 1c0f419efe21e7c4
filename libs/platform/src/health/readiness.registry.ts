import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessResult {
  ready: boolean;
  checks: Array<{ name: string; status: 'up' | 'down'; duration_ms: number; error?: string }>;
}

/**
 * Modules that own a dependency (Postgres, Redis, …) register a check here; /ready runs them
 * all in parallel, each bounded by a timeout, so one hung dependency cannot hang the probe.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 1000): Promise<ReadinessResult> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const started = performance.now();
        try {
          await withTimeout(check(), timeoutMs);
          return { name, status: 'up' as const, duration_ms: Math.round(performance.now() - started) };
        } catch (error) {
          // The reason is an operator hint; it must never carry connection strings.
          const reason = error instanceof TimeoutError ? 'timed out' : 'unreachable';
          return { name, status: 'down' as const, duration_ms: Math.round(performance.now() - started), error: reason };
        }
      }),
    );
    return { ready: results.every((r) => r.status === 'up'), checks: results };
  }
}

class TimeoutError extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
