import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export const SUPPORTED_GRANT_TYPES = ['client_credentials'] as const;

/** RFC 6749 §4.4.2, as a form or as JSON. Client credentials here or in HTTP Basic auth, not both. */
export class OAuthTokenRequestDto {
  @ApiProperty({ enum: SUPPORTED_GRANT_TYPES })
  @IsIn(SUPPORTED_GRANT_TYPES, { message: 'must be client_credentials' })
  grant_type!: string;

  @ApiPropertyOptional({ description: 'Or HTTP Basic auth' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  client_id?: string;

  @ApiPropertyOptional({ description: 'Or HTTP Basic auth' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  client_secret?: string;

  @ApiPropertyOptional({ description: "Space-separated subset of the identity's scopes; default all of them", example: 'execute jobs:read' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  scope?: string;
}

export class OAuthTokenResponse {
  @ApiProperty({ description: 'EdDSA-signed JWT' })
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ description: 'Seconds until it expires (at most 900)', example: 900 })
  expires_in!: number;

  @ApiProperty({ description: 'Space-separated scopes granted', example: 'execute jobs:read' })
  scope!: string;
}
