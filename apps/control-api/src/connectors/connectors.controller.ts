import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { ConnectorsService, type ConnectorView } from './connectors.service';
import { ConnectorPageResponse, ConnectorResponse, toConnectorResponse } from './dto/connector.response';
import { CreateConnectorDto } from './dto/create-connector.dto';
import { UpdateConnectorDto } from './dto/update-connector.dto';

const toResponse = (view: ConnectorView): ConnectorResponse => toConnectorResponse(view.connector, view.policyName);

@ApiTags('connectors')
@Controller('v1/workspaces/:workspaceId/connectors')
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Post()
  @Access('connectors.create')
  @ApiReason()
  @ApiCreatedResponse({ type: ConnectorResponse, description: "Config validated against the type's config_schema (defaults filled in); policy and secret refs must exist" })
  async create(@Param('workspaceId') workspaceId: string, @Body() body: CreateConnectorDto, @Mutation() ctx: MutationContext): Promise<ConnectorResponse> {
    return toResponse(await this.connectors.create(workspaceId, { name: body.name, type: body.type, config: body.config, policy: body.policy }, ctx));
  }

  @Get()
  @Access('connectors.list')
  @ApiOkResponse({ type: ConnectorPageResponse })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<ConnectorPageResponse> {
    const page = await this.connectors.list(principal, workspaceId, query);
    return toPageResponse(page, toResponse);
  }

  @Get(':name')
  @Access('connectors.get')
  @ApiOkResponse({ type: ConnectorResponse })
  async get(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<ConnectorResponse> {
    return toResponse(await this.connectors.get(principal, workspaceId, name));
  }

  @Patch(':name')
  @Access('connectors.update')
  @ApiReason()
  @ApiOkResponse({ type: ConnectorResponse })
  async update(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @Body() body: UpdateConnectorDto, @Mutation() ctx: MutationContext): Promise<ConnectorResponse> {
    return toResponse(await this.connectors.update(workspaceId, name, { config: body.config, policy: body.policy }, ctx));
  }

  @Delete(':name')
  @HttpCode(204)
  @Access('connectors.delete')
  @ApiReason()
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    // Validated for its shape only (unknown fields refused); @Mutation() reads the reason.
    @Body() _body: ReasonDto,
    @Mutation() ctx: MutationContext,
  ): Promise<void> {
    await this.connectors.delete(workspaceId, name, ctx);
  }
}
