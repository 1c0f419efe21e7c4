import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AUDIT_ACTOR_TYPES, type AuditActorType } from '@orch/data';
import { PageQueryDto } from '../../common/dto/page.dto';

/** Filters of GET /v1/audit (all optional, combined with AND) plus the page. */
export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  workspace_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTOR_TYPES })
  @IsOptional()
  @IsIn(AUDIT_ACTOR_TYPES)
  actor_type?: AuditActorType;

  @ApiPropertyOptional({ description: 'Operator id, service identity id, or workspace:<id> for impersonated actions' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor_id?: string;

  @ApiPropertyOptional({ example: 'workspace.create' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ example: 'workspace' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target_type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Rows created at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Rows created before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
