import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { UpdatePolicyDto } from './update-policy.dto';

/** Lowercase letters, digits, `-` and `_`, starting with a letter or digit; at most 63 characters. */
export const POLICY_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export class CreatePolicyDto extends UpdatePolicyDto {
  @ApiProperty({ example: 'payments-strict', pattern: POLICY_NAME_PATTERN.source })
  @IsString()
  @Matches(POLICY_NAME_PATTERN, { message: 'must be 1-63 lowercase letters, digits, - or _' })
  name!: string;
}
