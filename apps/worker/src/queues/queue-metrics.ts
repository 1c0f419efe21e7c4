import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { QUEUE_NAMES } from '@orch/contracts';
import { MetricsService } from '@orch/platform';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/** orch_queue_depth{queue,state}, read from BullMQ at scrape time (the KEDA/HPA signal). */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const queues = QUEUE_NAMES.map((name) => this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    new Gauge({
      name: 'orch_queue_depth',
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.metrics.registry],
      async collect() {
        await Promise.all(
          queues.map(async (queue) => {
            // A scrape must not hang on a Redis outage; the gauge keeps its last values.
            const counts = await Promise.race([queue.getJobCounts(...STATES), new Promise<null>((resolve) => setTimeout(() => resolve(null), 500))]).catch(() => null);
            if (!counts) return;
            for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
  }
}
