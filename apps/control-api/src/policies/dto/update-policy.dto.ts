import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, ValidateNested } from 'class-validator';
import { DEGRADATION_MODES, type DegradationMode } from '@orch/data';
import { ReasonDto } from '../../common/dto/reason.dto';
import { PolicyCircuitBreakerDto, PolicyRateLimitDto, PolicyRetryDto, PolicyTimeoutDto } from './policy-sections.dto';

/** Sections of a policy; each given field replaces the current (or, on create, the default) value. */
export class UpdatePolicyDto extends ReasonDto {
  @ApiPropertyOptional({ type: PolicyTimeoutDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyTimeoutDto)
  timeout?: PolicyTimeoutDto;

  @ApiPropertyOptional({ type: PolicyRetryDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyRetryDto)
  retry?: PolicyRetryDto;

  @ApiPropertyOptional({ type: PolicyCircuitBreakerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyCircuitBreakerDto)
  circuit_breaker?: PolicyCircuitBreakerDto;

  @ApiPropertyOptional({ type: PolicyRateLimitDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PolicyRateLimitDto)
  rate_limit?: PolicyRateLimitDto;

  @ApiPropertyOptional({ enum: DEGRADATION_MODES, description: 'fail_fast on an open breaker, or queue_with_delay for jobs' })
  @IsOptional()
  @IsIn(DEGRADATION_MODES)
  degradation?: DegradationMode;
}
