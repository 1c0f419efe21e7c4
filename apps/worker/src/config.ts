import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ServiceConfig } from '@orch/platform';

export class WorkerConfig extends ServiceConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_PORT = 4004;

  /** How often expired Idempotency-Key records (kept 24 h) are deleted, in ms. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  IDEMPOTENCY_PURGE_EVERY_MS = 600_000;
}
