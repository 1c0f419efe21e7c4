import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Shape only: control-api validates the values (its 400 comes back as it is). */
export class CreateSessionRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  email!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;
}

export class SessionOperatorDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ type: String, isArray: true, example: ['Support'] })
  roles!: string[];
}

/** What the browser learns at login: who it is and the CSRF token; never a token of control-api. */
export class SessionCreatedResponse {
  @ApiProperty({ type: SessionOperatorDto })
  operator!: SessionOperatorDto;

  @ApiProperty({ description: 'Send it back as x-csrf-token on every mutating BFF call.' })
  csrf_token!: string;
}

/** The running impersonation of the session; its tokens stay in the BFF. */
export class SessionImpersonationDto {
  @ApiProperty({ format: 'uuid', description: "control-api's impersonation session id" })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;
}

export class SessionStateResponse extends SessionCreatedResponse {
  @ApiProperty({ format: 'date-time', description: 'When the current operator token expires; the BFF refreshes it within 60 s of that.' })
  expires_at!: string;

  @ApiProperty({ type: SessionImpersonationDto, nullable: true, description: 'The impersonation started through the console, while it runs; null otherwise.' })
  impersonation!: SessionImpersonationDto | null;
}
