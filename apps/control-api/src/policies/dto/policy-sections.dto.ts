import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import type { RetryCondition } from '@orch/data';

/** Upper bounds that catch typos (an extra zero or three) rather than encode a business limit. */
export const POLICY_LIMITS = {
  timeout_ms: 600_000,
  max_attempts: 20,
  delay_ms: 600_000,
  window_ms: 3_600_000,
  min_requests: 100_000,
  open_ms: 3_600_000,
  half_open_probes: 100,
  capacity: 1_000_000,
  refill_per_sec: 1_000_000,
} as const;

export const RETRY_TRANSPORT_CONDITIONS = ['network', 'timeout'] as const;
export const JITTER_MODES = ['full', 'none'] as const;

function isRetryCondition(value: unknown): value is RetryCondition {
  return (RETRY_TRANSPORT_CONDITIONS as readonly unknown[]).includes(value) || (Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599);
}

/** 'network', 'timeout', or an upstream HTTP status 400..599. */
function IsRetryCondition(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isRetryCondition', validator: { validate: isRetryCondition, defaultMessage: () => "each value must be 'network', 'timeout' or an HTTP status from 400 to 599" } }, options);
}

export class PolicyTimeoutDto {
  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.timeout_ms, example: 2000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.timeout_ms)
  connect_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.timeout_ms, example: 10000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.timeout_ms)
  read_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.timeout_ms, example: 15000, description: 'At least connect_ms and read_ms' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.timeout_ms)
  total_ms?: number;
}

export class PolicyRetryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.max_attempts, example: 3, description: 'Attempts in all, the first included' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.max_attempts)
  max_attempts?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: POLICY_LIMITS.delay_ms, example: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(POLICY_LIMITS.delay_ms)
  base_delay_ms?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: POLICY_LIMITS.delay_ms, example: 2000, description: 'At least base_delay_ms' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(POLICY_LIMITS.delay_ms)
  max_delay_ms?: number;

  @ApiPropertyOptional({ enum: JITTER_MODES, example: 'full' })
  @IsOptional()
  @IsIn(JITTER_MODES)
  jitter?: (typeof JITTER_MODES)[number];

  @ApiPropertyOptional({ type: 'array', items: { oneOf: [{ type: 'string', enum: [...RETRY_TRANSPORT_CONDITIONS] }, { type: 'integer', minimum: 400, maximum: 599 }] }, example: ['network', 'timeout', 429, 502, 503, 504] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsRetryCondition({ each: true })
  retry_on?: RetryCondition[];

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  respect_retry_after?: boolean;
}

export class PolicyCircuitBreakerDto {
  @ApiPropertyOptional({ minimum: 1000, maximum: POLICY_LIMITS.window_ms, example: 30000, description: 'Rolling window the failure rate is measured over' })
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(POLICY_LIMITS.window_ms)
  window_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.min_requests, example: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.min_requests)
  min_requests?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.5, description: 'Share of failed calls in the window that opens the breaker' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  failure_rate_threshold?: number;

  @ApiPropertyOptional({ minimum: 100, maximum: POLICY_LIMITS.open_ms, example: 30000 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(POLICY_LIMITS.open_ms)
  open_ms?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.half_open_probes, example: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.half_open_probes)
  half_open_probes?: number;
}

export class PolicyRateLimitDto {
  @ApiPropertyOptional({ minimum: 1, maximum: POLICY_LIMITS.capacity, example: 100, description: 'Token bucket size (burst)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(POLICY_LIMITS.capacity)
  capacity?: number;

  @ApiPropertyOptional({ minimum: 0.001, maximum: POLICY_LIMITS.refill_per_sec, example: 50, description: 'Tokens added per second' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  @Max(POLICY_LIMITS.refill_per_sec)
  refill_per_sec?: number;
}

export class PolicyTimeoutResponse {
  @ApiProperty()
  connect_ms!: number;

  @ApiProperty()
  read_ms!: number;

  @ApiProperty()
  total_ms!: number;
}

export class PolicyRetryResponse {
  @ApiProperty()
  max_attempts!: number;

  @ApiProperty()
  base_delay_ms!: number;

  @ApiProperty()
  max_delay_ms!: number;

  @ApiProperty({ enum: JITTER_MODES })
  jitter!: (typeof JITTER_MODES)[number];

  @ApiProperty({ type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } })
  retry_on!: RetryCondition[];

  @ApiProperty()
  respect_retry_after!: boolean;
}

export class PolicyCircuitBreakerResponse {
  @ApiProperty()
  window_ms!: number;

  @ApiProperty()
  min_requests!: number;

  @ApiProperty()
  failure_rate_threshold!: number;

  @ApiProperty()
  open_ms!: number;

  @ApiProperty()
  half_open_probes!: number;
}

export class PolicyRateLimitResponse {
  @ApiProperty()
  capacity!: number;

  @ApiProperty()
  refill_per_sec!: number;
}
