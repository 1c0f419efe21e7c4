import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '@orch/auth';
import { type WebhookReceipt, WebhooksService } from './webhooks.service';

/** The raw-body parser (raw-body.ts) hands webhook bodies over as a Buffer; no body at all is an empty one. */
function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':provider/:routeKey')
  @HttpCode(200)
  @Access('webhooks.receive-route')
  @ApiOperation({ summary: 'Receive a provider webhook on a route made in the control plane (authenticated by its signature)' })
  @ApiOkResponse({ description: '{received: true, id, duplicate}' })
  receiveByRoute(@Param('provider') provider: string, @Param('routeKey') routeKey: string, @Req() request: FastifyRequest): Promise<WebhookReceipt> {
    return this.webhooks.receive({ provider, routeKey, rawBody: rawBodyOf(request), headers: request.headers });
  }

  @Post(':provider')
  @HttpCode(200)
  @Access('webhooks.receive-account')
  @ApiOperation({ summary: "Receive a provider webhook routed by the provider account id in the body (Stripe Connect's `account`)" })
  @ApiOkResponse({ description: '{received: true, id, duplicate}' })
  receiveByAccount(@Param('provider') provider: string, @Req() request: FastifyRequest): Promise<WebhookReceipt> {
    return this.webhooks.receive({ provider, rawBody: rawBodyOf(request), headers: request.headers });
  }
}
