import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';

/** Name and type are fixed; config is a JSON Merge Patch (RFC 7396) over the stored one. */
export class UpdateConnectorDto extends ReasonDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Merged into the stored config (null removes a field, arrays replace); the result is validated as a whole',
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 'payments-strict', description: 'Name of a policy of the workspace' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  policy?: string;
}
