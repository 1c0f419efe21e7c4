import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/** Shape only: control-api decides (its 400 REASON_REQUIRED, 403 and 404 come back as they are). */
export class StartConsoleImpersonationRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  workspace_id!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 900, default: 900 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(900)
  ttl_seconds?: number;

  @ApiPropertyOptional({ description: 'Why you act as this workspace (or an X-Reason header); required by control-api.', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class StopConsoleImpersonationRequest {
  @ApiPropertyOptional({ description: 'Why the session ends (or an X-Reason header); required by control-api.', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

/** The impersonation as the browser sees it: never a token. */
export class ConsoleImpersonationResponse {
  @ApiProperty({ format: 'uuid', description: "control-api's impersonation session id" })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;
}
