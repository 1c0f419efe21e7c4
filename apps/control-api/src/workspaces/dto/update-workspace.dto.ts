import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { WorkspaceSettingsPatchDto } from './workspace-settings.dto';

export class UpdateWorkspaceDto extends ReasonDto {
  @ApiProperty({ type: WorkspaceSettingsPatchDto, description: 'Only the given values change' })
  @IsDefined()
  @ValidateNested()
  @Type(() => WorkspaceSettingsPatchDto)
  settings!: WorkspaceSettingsPatchDto;
}
