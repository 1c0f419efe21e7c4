import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { PageQueryDto, toPageResponse } from '../common/dto/page.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { CreateWebhookRouteDto, UpdateWebhookRouteDto } from './dto/webhook-route.dto';
import { toWebhookRouteResponse, WebhookRoutePageResponse, WebhookRouteResponse } from './dto/webhook-route.response';
import { WebhookRoutesService } from './webhook-routes.service';

@ApiTags('webhook-routes')
@Controller('v1/workspaces/:workspaceId/webhook-routes')
export class WebhookRoutesController {
  constructor(private readonly routes: WebhookRoutesService) {}

  @Post()
  @Access('webhook-routes.create')
  @ApiReason()
  @ApiCreatedResponse({ type: WebhookRouteResponse, description: 'With its generated route_key and the ingress_path to give the provider' })
  @ApiConflictResponse({ description: 'The provider account id is used by another route of this provider' })
  async create(@Param('workspaceId') workspaceId: string, @Body() body: CreateWebhookRouteDto, @Mutation() ctx: MutationContext): Promise<WebhookRouteResponse> {
    return toWebhookRouteResponse(await this.routes.create(workspaceId, body, ctx));
  }

  @Get()
  @Access('webhook-routes.list')
  @ApiOkResponse({ type: WebhookRoutePageResponse })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal): Promise<WebhookRoutePageResponse> {
    const page = await this.routes.list(principal, workspaceId, query);
    return toPageResponse(page, toWebhookRouteResponse);
  }

  @Get(':routeId')
  @Access('webhook-routes.get')
  @ApiOkResponse({ type: WebhookRouteResponse })
  async get(@Param('workspaceId') workspaceId: string, @Param('routeId') routeId: string, @CurrentPrincipal() principal: Principal): Promise<WebhookRouteResponse> {
    return toWebhookRouteResponse(await this.routes.get(principal, workspaceId, routeId));
  }

  @Patch(':routeId')
  @Access('webhook-routes.update')
  @ApiReason()
  @ApiOkResponse({ type: WebhookRouteResponse })
  async update(
    @Param('workspaceId') workspaceId: string,
    @Param('routeId') routeId: string,
    @Body() body: UpdateWebhookRouteDto,
    @Mutation() ctx: MutationContext,
  ): Promise<WebhookRouteResponse> {
    return toWebhookRouteResponse(await this.routes.update(workspaceId, routeId, body, ctx));
  }

  @Delete(':routeId')
  @HttpCode(204)
  @Access('webhook-routes.delete')
  @ApiReason()
  @ApiNoContentResponse({ description: 'Deleted; inbox rows it received keep their data (route_id set to null)' })
  async delete(
    @Param('workspaceId') workspaceId: string,
    @Param('routeId') routeId: string,
    // Validated for its shape only (unknown fields refused); @Mutation() reads the reason.
    @Body() _body: ReasonDto,
    @Mutation() ctx: MutationContext,
  ): Promise<void> {
    await this.routes.delete(workspaceId, routeId, ctx);
  }
}
