import { ApiProperty } from '@nestjs/swagger';
import { OPERATOR_ROLES, OPERATOR_STATUSES, type OperatorEntity, type OperatorRole, type OperatorStatus } from '@orch/data';

/** An operator as the API shows it: never its password hash nor its invite token. */
export class OperatorResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: String, nullable: true })
  display_name!: string | null;

  @ApiProperty({ enum: OPERATOR_ROLES, isArray: true })
  roles!: OperatorRole[];

  @ApiProperty({ enum: OPERATOR_STATUSES })
  status!: OperatorStatus;

  @ApiProperty({ description: 'Invited and no password set yet: cannot sign in until the invite is accepted.' })
  invite_pending!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  invite_expires_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_login_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updated_at!: string;
}

export function toOperatorResponse(operator: OperatorEntity): OperatorResponse {
  const invitePending = operator.passwordHash === null;
  return {
    id: operator.id,
    email: operator.email,
    display_name: operator.displayName,
    roles: [...operator.roles],
    status: operator.status,
    invite_pending: invitePending,
    invite_expires_at: invitePending && operator.inviteExpiresAt ? operator.inviteExpiresAt.toISOString() : null,
    last_login_at: operator.lastLoginAt?.toISOString() ?? null,
    created_at: operator.createdAt.toISOString(),
    updated_at: operator.updatedAt.toISOString(),
  };
}

export class OperatorPageResponse {
  @ApiProperty({ type: OperatorResponse, isArray: true })
  data!: OperatorResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page.' })
  next_cursor!: string | null;
}

export class CreatedOperatorResponse {
  @ApiProperty({ type: OperatorResponse })
  operator!: OperatorResponse;

  @ApiProperty({ description: 'One-time invite token for POST /v1/auth/accept-invite. Shown once, stored hashed.' })
  invite_token!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  invite_expires_at!: string;
}
