import { ApiProperty } from '@nestjs/swagger';
import { WORKSPACE_STATUSES, type WorkspaceEntity, type WorkspaceStatus } from '@orch/data';
import { effectiveSettings } from '../workspace-settings';
import { PageResponse } from '../../common/dto/page.dto';
import { WorkspaceSettingsResponse } from './workspace-settings.dto';

export class WorkspaceResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'acme-dev' })
  name!: string;

  @ApiProperty({ enum: WORKSPACE_STATUSES })
  status!: WorkspaceStatus;

  @ApiProperty({ type: WorkspaceSettingsResponse, description: 'Effective settings (defaults filled in)' })
  settings!: WorkspaceSettingsResponse;

  @ApiProperty({ type: String, nullable: true, description: 'Secret ref whose value signs job callbacks (null: callbacks cannot be signed and fail)' })
  callback_secret_ref!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class WorkspacePageResponse extends PageResponse<WorkspaceResponse> {
  @ApiProperty({ type: [WorkspaceResponse] })
  data!: WorkspaceResponse[];
}

export function toWorkspaceResponse(workspace: WorkspaceEntity): WorkspaceResponse {
  return {
    id: workspace.id,
    name: workspace.name,
    status: workspace.status,
    settings: effectiveSettings(workspace.settings),
    callback_secret_ref: workspace.callbackSecretRef,
    created_at: workspace.createdAt.toISOString(),
    updated_at: workspace.updatedAt.toISOString(),
  };
}
