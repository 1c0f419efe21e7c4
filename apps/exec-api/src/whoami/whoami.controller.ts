import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { DomainError } from '@orch/contracts';

export class WhoamiResponse {
  @ApiProperty({ enum: ['service', 'impersonation'], example: 'service' })
  kind!: 'service' | 'impersonation';

  @ApiProperty({ description: 'Service identity id; for an impersonation, `workspace:<id>`' })
  identity_id!: string;

  @ApiProperty({ required: false, format: 'uuid', description: 'Impersonation only: the operator acting as the workspace (act.sub)' })
  impersonator_id?: string;

  @ApiProperty({ description: 'The workspace the token is bound to (tid)' })
  workspace_id!: string;

  @ApiProperty({ type: [String] })
  scopes!: string[];
}

@ApiTags('identity')
@Controller('v1')
export class WhoamiController {
  /** Which identity, workspace and scopes a token carries: the first call a product backend makes. */
  @Get('whoami')
  @Access('exec.whoami')
  @ApiOkResponse({ type: WhoamiResponse })
  whoami(@CurrentPrincipal() principal: Principal): WhoamiResponse {
    if (principal.kind === 'impersonation') {
      return { kind: 'impersonation', identity_id: `workspace:${principal.workspaceId}`, impersonator_id: principal.operatorId, workspace_id: principal.workspaceId, scopes: principal.scopes };
    }
    if (principal.kind !== 'service') throw new DomainError('FORBIDDEN', 'Only service tokens call the execution plane');
    return { kind: 'service', identity_id: principal.id, workspace_id: principal.workspaceId, scopes: principal.scopes };
  }
}
