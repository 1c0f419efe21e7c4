import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '../../webhook-routes/webhook-route-rules';
import { DEFAULT_RETRY_BATCH, MAX_RETRY_BATCH, RETRYABLE_STATUSES, type RetryableStatus } from '../webhook-inbox-selection';

/** Which inbox rows a bulk retry takes (AND); `{}` takes every failed row (up to limit). */
export class WebhookInboxRetryFilterDto {
  @ApiPropertyOptional({ enum: WEBHOOK_PROVIDERS })
  @IsOptional()
  @IsIn(WEBHOOK_PROVIDERS)
  provider?: WebhookProvider;

  @ApiPropertyOptional({ enum: RETRYABLE_STATUSES, default: 'failed', description: '`processed` processes delivered webhooks again' })
  @IsOptional()
  @IsIn(RETRYABLE_STATUSES)
  status?: RetryableStatus;

  @ApiPropertyOptional({ example: 'invoice.paid', description: "The provider's event type (event_type)" })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
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
}

/** Body of POST …/webhook-inbox/retry: exactly one of filter and ids. */
export class WebhookInboxBulkRetryDto extends ReasonDto {
  @ApiPropertyOptional({ type: WebhookInboxRetryFilterDto, description: 'Rows by filter, oldest received first; rows of another status are never taken' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookInboxRetryFilterDto)
  filter?: WebhookInboxRetryFilterDto;

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: MAX_RETRY_BATCH, description: 'Rows by id; ids that are unknown here or not failed/processed are skipped' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RETRY_BATCH)
  @IsUUID('all', { each: true })
  ids?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_RETRY_BATCH, default: DEFAULT_RETRY_BATCH, description: 'With filter only: at most this many rows' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_BATCH)
  limit?: number;
}
