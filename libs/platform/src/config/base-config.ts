import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';

export const ORCH_ENVS = ['dev', 'test', 'prod'] as const;
export type OrchEnv = (typeof ORCH_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Variables every app reads. Each app extends this with its own (port first). Defaults are
 * property initialisers; a variable without one is required.
 */
export class BaseConfig {
  @IsIn(ORCH_ENVS)
  ORCH_ENV: OrchEnv = 'dev';

  @IsString()
  HOST = '127.0.0.1';

  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL!: string;

  /** Every Redis key and BullMQ queue of this deployment lives under this prefix. */
  @Matches(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'must be 1-64 characters of A-Z a-z 0-9 _ : . -' })
  REDIS_KEY_PREFIX = 'orch:';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}

/** The backend services (control-api, exec-api, webhook-ingress, worker) also own Postgres. */
export class ServiceConfig extends BaseConfig {
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL!: string;
}
