import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { WorkspaceSettingsPatchDto } from './workspace-settings.dto';

/** Lowercase words of [a-z0-9] joined by single hyphens (the database checks the same). */
export const WORKSPACE_NAME_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class CreateWorkspaceDto extends ReasonDto {
  @ApiProperty({ example: 'acme-dev', description: 'Lowercase [a-z0-9-]; must end with -dev in dev and test deployments, -prod in prod' })
  @IsString()
  @MaxLength(63)
  @Matches(WORKSPACE_NAME_PATTERN, { message: 'must be lowercase letters, digits and single hyphens' })
  name!: string;

  @ApiPropertyOptional({ type: WorkspaceSettingsPatchDto, description: 'Merged over the defaults' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkspaceSettingsPatchDto)
  settings?: WorkspaceSettingsPatchDto;
}
