import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, Validate, type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';

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

export const AUTH_MODES = ['enabled', 'disabled'] as const;

/** AUTH_MODE=disabled exists for local experiments only; prod (and test) refuse it at boot. */
@ValidatorConstraint({ name: 'authModeAllowed' })
class AuthModeAllowed implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return value !== 'disabled' || (args.object as BaseConfig).ORCH_ENV === 'dev';
  }

  defaultMessage(): string {
    return 'may be "disabled" only when ORCH_ENV=dev';
  }
}

/** The backend services (control-api, exec-api, webhook-ingress, worker) also own Postgres and check tokens. */
export class ServiceConfig extends BaseConfig {
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL!: string;

  @IsIn(AUTH_MODES)
  @Validate(AuthModeAllowed)
  AUTH_MODE: (typeof AUTH_MODES)[number] = 'enabled';

  /** The `iss` of every token control-api signs and every app accepts. */
  @IsString()
  ORCH_JWT_ISSUER = 'orchestrator';
}

/** Apps that verify tokens through control-api's JWKS (exec-api, webhook-ingress). */
export class VerifyingServiceConfig extends ServiceConfig {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  ORCH_JWKS_URL = 'http://127.0.0.1:4000/.well-known/jwks.json';
}
