import { ApiProperty } from '@nestjs/swagger';
import { OPERATOR_ROLES, type OperatorRole } from '@orch/data';
import { OperatorResponse } from './operator.response';

export class SessionOperator {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ enum: OPERATOR_ROLES, isArray: true })
  roles!: OperatorRole[];
}

/** What login and refresh answer: a short-lived access token and a one-time refresh token. */
export class SessionResponse {
  @ApiProperty({ description: 'Operator JWT (aud orchestrator-control, roles).' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';

  @ApiProperty({ description: 'Seconds until access_token expires (at most 900).' })
  expires_in!: number;

  @ApiProperty({ description: 'Opaque, one-time: POST /v1/auth/refresh exchanges it for a new pair. A reused one revokes the session.' })
  refresh_token!: string;

  @ApiProperty({ type: SessionOperator })
  operator!: SessionOperator;
}

export class MeResponse extends OperatorResponse {
  @ApiProperty({ description: 'BreakGlassAdmin powers are live (activated and not expired).' })
  break_glass_active!: boolean;
}
