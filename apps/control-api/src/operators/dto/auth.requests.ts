import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength, IsOptional } from 'class-validator';
import { MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './operator.requests';

/** Refresh and invite tokens are `<prefix>_<43 base64url chars>`; anything much longer is not one. */
const MAX_OPAQUE_TOKEN_LENGTH = 128;

export class LoginRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(MAX_EMAIL_LENGTH)
  email!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;
}

export class RefreshRequest {
  @ApiProperty({ description: 'The refresh_token of the last login or refresh (one-time use).' })
  @IsString()
  @MaxLength(MAX_OPAQUE_TOKEN_LENGTH)
  refresh_token!: string;
}

export class AcceptInviteRequest {
  @ApiProperty()
  @IsString()
  @MaxLength(MAX_OPAQUE_TOKEN_LENGTH)
  invite_token!: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;
}

export class BootstrapRequest {
  @ApiProperty({ example: 'admin@example.com' })
  @IsEmail()
  @MaxLength(MAX_EMAIL_LENGTH)
  email!: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
