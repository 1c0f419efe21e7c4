import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, type Principal } from '@orch/auth';
import { ConnectorsService } from './connectors.service';
import { ConnectorTypeListResponse, toConnectorTypeResponse } from './dto/connector-type.response';

@ApiTags('connectors')
@Controller('v1/workspaces/:workspaceId/connector-types')
export class ConnectorTypesController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Get()
  @Access('connector-types.list')
  @ApiOkResponse({ type: ConnectorTypeListResponse, description: 'Every connector type with its JSON Schemas (one list, no pages)' })
  async list(@Param('workspaceId') workspaceId: string, @CurrentPrincipal() principal: Principal): Promise<ConnectorTypeListResponse> {
    return { data: (await this.connectors.listTypes(principal, workspaceId)).map(toConnectorTypeResponse) };
  }
}
