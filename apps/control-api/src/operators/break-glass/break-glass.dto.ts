import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export const MAX_BREAK_GLASS_TTL_SECONDS = 3600;

export class ActivateBreakGlassRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_BREAK_GLASS_TTL_SECONDS, default: MAX_BREAK_GLASS_TTL_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BREAK_GLASS_TTL_SECONDS)
  ttl_seconds?: number;

  @ApiPropertyOptional({ description: 'Why break-glass is needed (or an X-Reason header); required.', maxLength: 500 })
  @IsOptional()
  @IsString()
  reason?: string;
}

export class BreakGlassActivationResponse {
  @ApiProperty({ format: 'uuid' })
  activation_id!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expires_at!: string;
}
