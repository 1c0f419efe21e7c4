import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { OPERATOR_ROLES, type OperatorRole } from '@orch/data';
import { PageQueryDto } from '../../common/dto/page.dto';

export const MAX_EMAIL_LENGTH = 254;
/** scrypt cost grows with the input: cap what we hash. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 12;

const REASON_DOC = { description: 'Why this change is made (or an X-Reason header); required.', maxLength: 500 } as const;

export class CreateOperatorRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(MAX_EMAIL_LENGTH)
  email!: string;

  @ApiProperty({ enum: OPERATOR_ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(OPERATOR_ROLES.length)
  @ArrayUnique()
  @IsIn(OPERATOR_ROLES, { each: true })
  roles!: OperatorRole[];

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  display_name?: string;

  @ApiPropertyOptional(REASON_DOC)
  @IsOptional()
  @IsString()
  reason?: string;
}

export class UpdateOperatorRequest {
  @ApiPropertyOptional({ enum: OPERATOR_ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(OPERATOR_ROLES.length)
  @ArrayUnique()
  @IsIn(OPERATOR_ROLES, { each: true })
  roles?: OperatorRole[];

  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  display_name?: string | null;

  @ApiPropertyOptional(REASON_DOC)
  @IsOptional()
  @IsString()
  reason?: string;
}

/** `?limit=&cursor=`, as every list. */
export class ListOperatorsQuery extends PageQueryDto {}
