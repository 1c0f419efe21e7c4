import { ApiProperty } from '@nestjs/swagger';
import { DEGRADATION_MODES, type DegradationMode, type PolicyEntity } from '@orch/data';
import { PageResponse } from '../../common/dto/page.dto';
import { effectivePolicy } from '../policy-shape';
import { PolicyCircuitBreakerResponse, PolicyRateLimitResponse, PolicyRetryResponse, PolicyTimeoutResponse } from './policy-sections.dto';

export class PolicyResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ example: 'default' })
  name!: string;

  @ApiProperty({ type: PolicyTimeoutResponse })
  timeout!: PolicyTimeoutResponse;

  @ApiProperty({ type: PolicyRetryResponse })
  retry!: PolicyRetryResponse;

  @ApiProperty({ type: PolicyCircuitBreakerResponse })
  circuit_breaker!: PolicyCircuitBreakerResponse;

  @ApiProperty({ type: PolicyRateLimitResponse })
  rate_limit!: PolicyRateLimitResponse;

  @ApiProperty({ enum: DEGRADATION_MODES })
  degradation!: DegradationMode;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class PolicyPageResponse extends PageResponse<PolicyResponse> {
  @ApiProperty({ type: [PolicyResponse] })
  data!: PolicyResponse[];
}

export function toPolicyResponse(policy: PolicyEntity): PolicyResponse {
  return {
    id: policy.id,
    workspace_id: policy.workspaceId,
    name: policy.name,
    ...effectivePolicy(policy),
    created_at: policy.createdAt.toISOString(),
    updated_at: policy.updatedAt.toISOString(),
  };
}
