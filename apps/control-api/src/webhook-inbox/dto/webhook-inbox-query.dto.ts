import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { DEFAULT_PAGE_SIZE, WEBHOOK_INBOX_STATUSES, type WebhookInboxStatus } from '@orch/data';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../webhook-routes/webhook-route-rules';

/** Inbox lists page at most this many rows. */
export const MAX_INBOX_PAGE = 100;

/** Filters of GET …/webhook-inbox (AND) plus the page, newest received first. */
export class WebhookInboxQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_PROVIDERS })
  @IsOptional()
  @IsIn(WEBHOOK_PROVIDERS)
  provider?: WebhookProvider;

  @ApiPropertyOptional({ enum: WEBHOOK_INBOX_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_INBOX_STATUSES)
  status?: WebhookInboxStatus;

  @ApiPropertyOptional({ example: 'invoice.paid', description: "The provider's event type (event_type), exact match" })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  type?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The webhook route the delivery came through' })
  @IsOptional()
  @IsUUID('all')
  route_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after this time (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  received_after?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or before this time (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  received_before?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_INBOX_PAGE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_INBOX_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
