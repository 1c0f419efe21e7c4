import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { CONFIG_VERSION_PATTERN } from '../config-version';

export class ActivateConfigDto extends ReasonDto {
  @ApiProperty({ example: 'v2', description: 'An existing version of this config' })
  @IsString()
  @Matches(CONFIG_VERSION_PATTERN, { message: 'must be letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit' })
  version!: string;
}
