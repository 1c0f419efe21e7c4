import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_INBOX_STATUSES } from '@orch/data';
import { PageResponse } from '../../common/dto/page.dto';
import type { InboxDetail, InboxItem } from '../webhook-inbox.repository';

/** An inbox row as lists show it: no headers, no payload. */
export class WebhookInboxItemResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null once the route is deleted' })
  route_id!: string | null;

  @ApiProperty({ example: 'stripe' })
  provider!: string;

  @ApiProperty({ example: 'evt_1Q2w3E', description: "The provider's event id (unique per workspace and provider)" })
  event_id!: string;

  @ApiProperty({ type: String, nullable: true, example: 'invoice.paid' })
  event_type!: string | null;

  @ApiProperty({ enum: WEBHOOK_INBOX_STATUSES })
  status!: string;

  @ApiProperty({ description: 'Processing attempts since the row was received or last retried from the control plane' })
  attempts!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed; cleared by a retry' })
  last_error!: string | null;

  @ApiProperty({ format: 'date-time' })
  received_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  processed_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

/** One inbox row with the delivery as stored. */
export class WebhookInboxDetailResponse extends WebhookInboxItemResponse {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers as received, without signatures or secrets' })
  headers!: Record<string, string>;

  @ApiProperty({ nullable: true, description: 'The JSON body; null when it is stored by reference (payload_ref)' })
  payload!: unknown;

  @ApiPropertyOptional({ type: String, description: 'Present only when the body is stored by reference' })
  payload_ref?: string;
}

export class WebhookInboxPageResponse extends PageResponse<WebhookInboxItemResponse> {
  @ApiProperty({ type: [WebhookInboxItemResponse] })
  data!: WebhookInboxItemResponse[];
}

export class WebhookInboxBulkRetryResponse {
  @ApiProperty({ description: 'Rows moved back to received' })
  retried!: number;

  @ApiProperty({ type: [String], format: 'uuid', description: 'Their ids, oldest received first' })
  ids!: string[];

  @ApiProperty({ description: 'Retried rows not put on the queue (Redis unreachable); they stay received' })
  enqueue_failed!: number;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toWebhookInboxItemResponse(item: InboxItem): WebhookInboxItemResponse {
  return {
    id: item.id,
    route_id: item.routeId,
    provider: item.provider,
    event_id: item.eventId,
    event_type: item.eventType,
    status: item.status,
    attempts: item.attempts,
    last_error: item.lastError,
    received_at: item.receivedAt.toISOString(),
    processed_at: iso(item.processedAt),
    updated_at: item.updatedAt.toISOString(),
  };
}

export function toWebhookInboxDetailResponse(item: InboxDetail): WebhookInboxDetailResponse {
  return {
    ...toWebhookInboxItemResponse(item),
    headers: item.headers,
    payload: item.payload ?? null,
    ...(item.payloadRef !== null ? { payload_ref: item.payloadRef } : {}),
  };
}
