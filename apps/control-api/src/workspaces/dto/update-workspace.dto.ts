import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { WorkspaceSettingsPatchDto } from './workspace-settings.dto';

export class UpdateWorkspaceDto extends ReasonDto {
  @ApiPropertyOptional({ type: WorkspaceSettingsPatchDto, description: 'Only the given values change' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkspaceSettingsPatchDto)
  settings?: WorkspaceSettingsPatchDto;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Name of a secret ref of this workspace holding the `whsec_…` key job callbacks are signed with (Standard Webhooks); null removes it. Rotate by putting a new vault version of that secret.',
  })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  callback_secret_ref?: string | null;
}
