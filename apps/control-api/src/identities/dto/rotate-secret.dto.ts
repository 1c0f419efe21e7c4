import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';

export const MAX_ROTATION_GRACE_SECONDS = 86_400;
export const DEFAULT_ROTATION_GRACE_SECONDS = 3_600;

export class RotateSecretDto extends ReasonDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_ROTATION_GRACE_SECONDS, default: DEFAULT_ROTATION_GRACE_SECONDS, description: 'How long the previous secret keeps working' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  grace_seconds?: number;
}
