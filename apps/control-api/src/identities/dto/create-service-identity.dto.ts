import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Matches } from 'class-validator';
import { TOKEN_AUDIENCES, type TokenAudience } from '@orch/data';
import { ReasonDto } from '../../common/dto/reason.dto';

export const SERVICE_IDENTITY_NAME_PATTERN = /^svc:[a-z0-9][a-z0-9-]{0,62}$/;

export class CreateServiceIdentityDto extends ReasonDto {
  @ApiProperty({ example: 'svc:billing-backend', pattern: SERVICE_IDENTITY_NAME_PATTERN.source })
  @IsString()
  @Matches(SERVICE_IDENTITY_NAME_PATTERN, { message: 'must look like svc:<product>-backend (lowercase letters, digits, hyphens)' })
  name!: string;

  @ApiProperty({ enum: TOKEN_AUDIENCES, description: 'Which app its tokens are for' })
  @IsIn(TOKEN_AUDIENCES)
  audience!: TokenAudience;

  @ApiProperty({ type: [String], example: ['execute', 'jobs:read'], description: 'Scopes of the audience: exec (execute, jobs:write, jobs:read, events:read) or control' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  scopes!: string[];
}
