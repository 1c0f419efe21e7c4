import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { CreateWorkspaceDto } from './dto/create-workspace.dto';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { UpdateWorkspaceDto } from './dto/update-workspace.dto';
import { toWorkspaceResponse, WorkspacePageResponse, WorkspaceResponse } from './dto/workspace.response';
import { WorkspacesService } from './workspaces.service';

@ApiTags('workspaces')
@Controller('v1/workspaces')
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  @Access('workspaces.create')
  @ApiReason()
  @ApiCreatedResponse({ type: WorkspaceResponse, description: 'The workspace, created with its `default` policy' })
  async create(@Body() body: CreateWorkspaceDto, @Mutation() ctx: MutationContext): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.workspaces.create(body, ctx));
  }

  @Get()
  @Access('workspaces.list')
  @ApiOkResponse({ type: WorkspacePageResponse, description: 'Operators see every workspace of this deployment; a workspace token only its own' })
  async list(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<WorkspacePageResponse> {
    const page = await this.workspaces.list(principal, query);
    return toPageResponse(page, toWorkspaceResponse);
  }

  @Get(':workspaceId')
  @Access('workspaces.get')
  @ApiOkResponse({ type: WorkspaceResponse })
  async get(@Param('workspaceId') workspaceId: string, @CurrentPrincipal() principal: Principal): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.workspaces.get(principal, workspaceId));
  }

  @Patch(':workspaceId')
  @Access('workspaces.update')
  @ApiReason()
  @ApiOkResponse({ type: WorkspaceResponse })
  async update(@Param('workspaceId') workspaceId: string, @Body() body: UpdateWorkspaceDto, @Mutation() ctx: MutationContext): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.workspaces.update(workspaceId, { ...(body.settings ? { settings: body.settings } : {}), ...(body.callback_secret_ref !== undefined ? { callbackSecretRef: body.callback_secret_ref } : {}) }, ctx));
  }
}
