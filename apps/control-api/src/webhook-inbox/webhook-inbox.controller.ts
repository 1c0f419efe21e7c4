import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access, ApiReason, CurrentPrincipal, Mutation, type MutationContext, type Principal } from '@orch/auth';
import { toPageResponse } from '../common/dto/page.dto';
import { WebhookInboxQueryDto } from './dto/webhook-inbox-query.dto';
import { ReasonDto } from '../common/dto/reason.dto';
import { WebhookInboxBulkRetryDto } from './dto/webhook-inbox-retry.dto';
import {
  toWebhookInboxDetailResponse,
  toWebhookInboxItemResponse,
  WebhookInboxBulkRetryResponse,
  WebhookInboxDetailResponse,
  WebhookInboxItemResponse,
  WebhookInboxPageResponse,
} from './dto/webhook-inbox.response';
import { toInboxFilter } from './webhook-inbox-selection';
import { WebhookInboxService } from './webhook-inbox.service';

@ApiTags('webhook-inbox')
@Controller('v1/workspaces/:workspaceId/webhook-inbox')
export class WebhookInboxController {
  constructor(private readonly inbox: WebhookInboxService) {}

  @Get()
  @Access('webhook-inbox.list')
  @ApiOkResponse({ type: WebhookInboxPageResponse, description: 'Newest received first; without headers and payloads' })
  async list(@Param('workspaceId') workspaceId: string, @Query() query: WebhookInboxQueryDto, @CurrentPrincipal() principal: Principal): Promise<WebhookInboxPageResponse> {
    const page = await this.inbox.list(principal, workspaceId, toInboxFilter(query), { limit: query.limit, cursor: query.cursor });
    return toPageResponse(page, toWebhookInboxItemResponse);
  }

  // Declared before ':inboxId/retry' only for reading order; the paths differ in length so they never clash.
  @Post('retry')
  @HttpCode(202)
  @Access('webhook-inbox.retry-bulk')
  @ApiReason()
  @ApiAcceptedResponse({ type: WebhookInboxBulkRetryResponse })
  async retryBulk(@Param('workspaceId') workspaceId: string, @Body() body: WebhookInboxBulkRetryDto, @Mutation() ctx: MutationContext): Promise<WebhookInboxBulkRetryResponse> {
    return this.inbox.retryBulk(workspaceId, body, ctx);
  }

  @Get(':inboxId')
  @Access('webhook-inbox.get')
  @ApiOkResponse({ type: WebhookInboxDetailResponse })
  @ApiNotFoundResponse({ description: 'Unknown in this workspace (or not a uuid)' })
  async get(@Param('workspaceId') workspaceId: string, @Param('inboxId') inboxId: string, @CurrentPrincipal() principal: Principal): Promise<WebhookInboxDetailResponse> {
    return toWebhookInboxDetailResponse(await this.inbox.get(principal, workspaceId, inboxId));
  }

  @Post(':inboxId/retry')
  @HttpCode(202)
  @Access('webhook-inbox.retry')
  @ApiReason()
  @ApiAcceptedResponse({ type: WebhookInboxItemResponse, description: 'The row, back in received and on the queue' })
  @ApiNotFoundResponse({ description: 'Unknown in this workspace (or not a uuid)' })
  @ApiConflictResponse({ description: 'The row is received or processing: it is already on its way' })
  async retry(@Param('workspaceId') workspaceId: string, @Param('inboxId') inboxId: string, @Body() _body: ReasonDto, @Mutation() ctx: MutationContext): Promise<WebhookInboxItemResponse> {
    return toWebhookInboxItemResponse(await this.inbox.retryOne(workspaceId, inboxId, ctx));
  }
}
