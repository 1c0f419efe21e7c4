import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { MAX_SECRET_VALUE_BYTES } from '@orch/secrets';
import { ReasonDto } from '../../common/dto/reason.dto';

export class PutSecretDto extends ReasonDto {
  @ApiProperty({ writeOnly: true, description: `The secret value (at most ${MAX_SECRET_VALUE_BYTES} bytes of UTF-8). Write-only: no read ever returns it.` })
  @IsString()
  @IsNotEmpty()
  value!: string;
}
