import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { VerifyingServiceConfig } from '@orch/platform';
import { WithMasterKeys } from '@orch/secrets';

/** Injection token of the validated ExecApiConfig (provided by AppModule). */
export const EXEC_API_CONFIG = Symbol('EXEC_API_CONFIG');

export class ExecApiConfig extends WithMasterKeys(VerifyingServiceConfig) {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  EXEC_API_PORT = 4001;

  /**
   * Comma-separated CIDRs outbound connector calls may reach although the egress guard refuses
   * them by default (loopback, private, link-local, metadata…). Empty = only public addresses.
   * The dev stack and the tests open loopback for their fake upstream.
   */
  @IsOptional()
  @IsString()
  EGRESS_ALLOW_CIDRS?: string;

  /** How long a connector with its policy and the workspace quotas is reused before being read again (ms; 0 = every request). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  EXEC_CATALOG_CACHE_MS = 1000;

  /** Upstream response bodies above this many bytes fail the attempt (UPSTREAM_ERROR). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  EXEC_MAX_RESPONSE_BYTES = 1024 * 1024;

  /**
   * An Idempotency-Key claim whose request has not finished after this long is presumed dead
   * (its process crashed) and may be taken over. Must exceed the longest policy total timeout.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  IDEMPOTENCY_LEASE_MS = 120_000;

  /** Interval of the `: keep-alive` comment on SSE streams (GET /v1/events/stream), so proxies keep idle streams open (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(300_000)
  SSE_KEEPALIVE_MS = 15_000;
}
