import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/**
 * Body of a mutating route: the reason may come in the body instead of the X-Reason header
 * (the @Mutation() decorator reads and checks it; unknown body fields are refused, so every
 * such DTO declares it).
 */
export class ReasonDto {
  @ApiPropertyOptional({ description: 'Why this change is made (or the X-Reason header); one of the two is required.', maxLength: 500 })
  @IsOptional()
  @IsString()
  reason?: string;
}
