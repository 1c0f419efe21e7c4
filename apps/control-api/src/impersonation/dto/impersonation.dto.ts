import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { MAX_TOKEN_TTL_SECONDS } from '@orch/auth';
import type { ImpersonationSessionEntity } from '@orch/data';

export class StartImpersonationRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  workspace_id!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOKEN_TTL_SECONDS, default: MAX_TOKEN_TTL_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_TTL_SECONDS)
  ttl_seconds?: number;

  @ApiPropertyOptional({ description: 'Why you act as this workspace (or an X-Reason header); required.', maxLength: 500 })
  @IsOptional()
  @IsString()
  reason?: string;
}

export class StopImpersonationRequest {
  @ApiPropertyOptional({ description: 'Why the session ends (or an X-Reason header); required.', maxLength: 500 })
  @IsOptional()
  @IsString()
  reason?: string;
}

export class StartedImpersonationResponse {
  @ApiProperty({ format: 'uuid', description: 'The session id (DELETE /v1/impersonation/:id ends it).' })
  id!: string;

  @ApiProperty({ description: 'JWT acting as the workspace, with act.sub = the operator. Shown once.' })
  token!: string;

  @ApiProperty({ description: 'The same session on exec-api (aud orchestrator-exec; scopes execute, jobs:write, jobs:read, events:read). Shown once.' })
  exec_token!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expires_at!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;
}

export class ImpersonationSessionResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id!: string;

  @ApiProperty({ format: 'uuid' })
  operator_id!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expires_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  ended_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at!: string;
}

export function toImpersonationSessionResponse(session: ImpersonationSessionEntity): ImpersonationSessionResponse {
  return {
    id: session.id,
    workspace_id: session.workspaceId,
    operator_id: session.operatorId,
    reason: session.reason,
    expires_at: session.expiresAt.toISOString(),
    ended_at: session.endedAt?.toISOString() ?? null,
    created_at: session.createdAt.toISOString(),
  };
}
