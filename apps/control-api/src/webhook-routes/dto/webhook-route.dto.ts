import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { ReasonDto } from '../../common/dto/reason.dto';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  EVENT_ID_PATH_PATTERN,
  HEADER_NAME_PATTERN,
  MAX_ROTATION_GRACE_SECONDS,
  SIGNATURE_ENCODINGS,
  TARGET_KINDS,
  WEBHOOK_PROVIDERS,
  type WebhookProvider,
} from '../webhook-route-rules';

/** hmac-sha256 only: where the signature is and how to find the event id. */
export class HmacVerificationDto {
  @ApiProperty({ example: 'X-Signature' })
  @IsString()
  @Matches(HEADER_NAME_PATTERN, { message: 'must be a header name (letters, digits, "-")' })
  header_name!: string;

  @ApiProperty({ enum: SIGNATURE_ENCODINGS })
  @IsIn(SIGNATURE_ENCODINGS)
  encoding!: 'hex' | 'base64';

  @ApiProperty({ example: '$.id', description: 'JSON path of the provider event id in the payload, for dedupe' })
  @IsString()
  @Matches(EVENT_ID_PATH_PATTERN, { message: 'must be a JSON path like $.id or $.data.id' })
  event_id_path!: string;

  @ApiPropertyOptional({ example: 'sha256=', description: 'Text before the signature in the header' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  prefix?: string;
}

/** `{kind:'forward', url}` | `{kind:'connector', connector, operation}` | `{kind:'store'}`. */
export class WebhookTargetDto {
  @ApiProperty({ enum: TARGET_KINDS })
  @IsIn(TARGET_KINDS)
  kind!: (typeof TARGET_KINDS)[number];

  @ApiPropertyOptional({ description: 'forward: https (http only in dev/test deployments)' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ description: 'connector: name of a connector of the workspace' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  connector?: string;

  @ApiPropertyOptional({ description: 'connector: its operation to run' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  operation?: string;
}

const SECRET_REF_NAME = { minLength: 1, maxLength: 128 };

export class CreateWebhookRouteDto extends ReasonDto {
  @ApiProperty({ enum: WEBHOOK_PROVIDERS })
  @IsIn(WEBHOOK_PROVIDERS)
  provider!: WebhookProvider;

  @ApiProperty({ example: 'stripe_signing', description: 'Name of a secret ref of the workspace (never a value)' })
  @IsString()
  @MinLength(SECRET_REF_NAME.minLength)
  @MaxLength(SECRET_REF_NAME.maxLength)
  signing_secret_ref!: string;

  @ApiPropertyOptional({ example: 'acct_123', description: 'Unique per provider; lets the ingress route by the account found in the payload' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  provider_account_id?: string;

  @ApiPropertyOptional({ type: HmacVerificationDto, description: 'Required for hmac-sha256, refused for the others' })
  @IsOptional()
  @ValidateNested()
  @Type(() => HmacVerificationDto)
  verification?: HmacVerificationDto;

  @ApiProperty({ type: WebhookTargetDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => WebhookTargetDto)
  target!: WebhookTargetDto;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookRouteDto extends ReasonDto {
  @ApiPropertyOptional({ description: 'Immutable: any value is refused (delete and recreate the route)' })
  @IsOptional()
  provider?: unknown;

  @ApiPropertyOptional({ description: 'A new secret ref rotates: the current one stays accepted as previous until rotation_grace_seconds pass' })
  @IsOptional()
  @IsString()
  @MinLength(SECRET_REF_NAME.minLength)
  @MaxLength(SECRET_REF_NAME.maxLength)
  signing_secret_ref?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_ROTATION_GRACE_SECONDS, default: DEFAULT_ROTATION_GRACE_SECONDS, description: 'With a new signing_secret_ref only; 0 drops the old one at once' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  rotation_grace_seconds?: number;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears it' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  provider_account_id?: string | null;

  @ApiPropertyOptional({ type: HmacVerificationDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => HmacVerificationDto)
  verification?: HmacVerificationDto;

  @ApiPropertyOptional({ type: WebhookTargetDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WebhookTargetDto)
  target?: WebhookTargetDto;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
