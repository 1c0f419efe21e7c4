import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { ConfigsService, type ActivationView, type PointerMove } from './configs.service';
import { ActivateConfigDto } from './dto/activate-config.dto';
import {
  ConfigActivationPageResponse,
  type ConfigActivationResponse,
  ConfigPointerResponse,
  ConfigSummaryPageResponse,
  ConfigVersionPageResponse,
  ConfigVersionResponse,
  toConfigVersionResponse,
} from './dto/config.response';
import { CreateConfigDto } from './dto/create-config.dto';

function toActivationResponse(view: ActivationView): ConfigActivationResponse {
  return {
    id: view.activation.id,
    action: view.activation.action,
    from_version: view.fromVersion,
    to_version: view.toVersion,
    actor: view.activation.actor,
    reason: view.activation.reason,
    created_at: view.activation.createdAt.toISOString(),
  };
}

function toPointerResponse(move: PointerMove): ConfigPointerResponse {
  return { name: move.name, active: toConfigVersionResponse(move.active), previous_version: move.previousVersion, activation: toActivationResponse(move.activation) };
}

/** Immutable config versions: there is deliberately no update or delete route. */
@ApiTags('configs')
@Controller('v1/workspaces/:workspaceId/configs')
export class ConfigsController {
  constructor(private readonly configs: ConfigsService) {}

  @Post()
  @Access('configs.create')
  @ApiReason()
  @ApiCreatedResponse({ type: ConfigVersionResponse, description: 'A new immutable version; active only with `activate: true`' })
  @ApiConflictResponse({ description: 'The version exists already' })
  async create(@Param('workspaceId') workspaceId: string, @Body() body: CreateConfigDto, @Mutation() ctx: MutationContext): Promise<ConfigVersionResponse> {
    return toConfigVersionResponse(await this.configs.create(workspaceId, body, ctx));
  }

  @Get()
  @Access('configs.list')
  @ApiOkResponse({ type: ConfigSummaryPageResponse, description: 'Config names (alphabetical) with their active version' })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<ConfigSummaryPageResponse> {
    const page = await this.configs.list(principal, workspaceId, query);
    return {
      data: page.items.map((row) => ({
        name: row.name,
        active_version: row.activeVersion,
        previous_version: row.previousVersion,
        version_count: row.versionCount,
        latest_created_at: row.latestCreatedAt.toISOString(),
      })),
      next_cursor: page.nextCursor,
    };
  }

  @Get(':name/versions')
  @Access('configs.versions')
  @ApiOkResponse({ type: ConfigVersionPageResponse, description: 'Newest first' })
  async versions(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    @Query() query: PageQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfigVersionPageResponse> {
    const page = await this.configs.versions(principal, workspaceId, name, query);
    return toPageResponse(page, toConfigVersionResponse);
  }

  @Get(':name/versions/:version')
  @Access('configs.get-version')
  @ApiOkResponse({ type: ConfigVersionResponse })
  async getVersion(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    @Param('version') version: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfigVersionResponse> {
    return toConfigVersionResponse(await this.configs.getVersion(principal, workspaceId, name, version));
  }

  @Get(':name/active')
  @Access('configs.active')
  @ApiOkResponse({ type: ConfigVersionResponse, description: '404 while no version is active' })
  async active(@Param('workspaceId') workspaceId: string, @Param('name') name: string, @CurrentPrincipal() principal: Principal): Promise<ConfigVersionResponse> {
    return toConfigVersionResponse(await this.configs.active(principal, workspaceId, name));
  }

  @Get(':name/history')
  @Access('configs.history')
  @ApiOkResponse({ type: ConfigActivationPageResponse, description: 'Activations and rollbacks, newest first' })
  async history(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    @Query() query: PageQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConfigActivationPageResponse> {
    const page = await this.configs.history(principal, workspaceId, name, query);
    return toPageResponse(page, toActivationResponse);
  }

  @Post(':name/activate')
  @HttpCode(200)
  @Access('configs.activate')
  @ApiReason()
  @ApiOkResponse({ type: ConfigPointerResponse, description: 'The replaced version becomes the rollback target' })
  @ApiConflictResponse({ description: 'The version is already the active one' })
  async activate(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    @Body() body: ActivateConfigDto,
    @Mutation() ctx: MutationContext,
  ): Promise<ConfigPointerResponse> {
    return toPointerResponse(await this.configs.activate(workspaceId, name, body.version, ctx));
  }

  @Post(':name/rollback')
  @HttpCode(200)
  @Access('configs.rollback')
  @ApiReason()
  @ApiOkResponse({ type: ConfigPointerResponse, description: 'Back to the version active before the last activation; clears the rollback target' })
  @ApiConflictResponse({ description: 'No previous version: never activated twice, or already rolled back' })
  async rollback(
    @Param('workspaceId') workspaceId: string,
    @Param('name') name: string,
    // Validated for its shape only (unknown fields refused); @Mutation() reads the reason.
    @Body() _body: ReasonDto,
    @Mutation() ctx: MutationContext,
  ): Promise<ConfigPointerResponse> {
    return toPointerResponse(await this.configs.rollback(workspaceId, name, ctx));
  }
}
