import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { SECRET_NAME_PATTERN, SECRET_REF_PATTERN } from '@orch/secrets';
import { ReasonDto } from '../../common/dto/reason.dto';

export class CreateSecretRefDto extends ReasonDto {
  @ApiProperty({ example: 'stripe-api-key', pattern: SECRET_NAME_PATTERN.source, description: 'How connectors and webhook routes refer to it' })
  @IsString()
  @Matches(SECRET_NAME_PATTERN, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit' })
  name!: string;

  @ApiProperty({ example: 'vault://stripe-api-key', pattern: SECRET_REF_PATTERN.source, description: 'env://NAME (a variable of the processes) or vault://name (set with PUT …/secrets/:name)' })
  @IsString()
  @Matches(SECRET_REF_PATTERN, { message: 'must be env://NAME (A-Z, 0-9, _) or vault://name' })
  ref!: string;
}
