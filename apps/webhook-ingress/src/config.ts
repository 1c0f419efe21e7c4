import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { VerifyingServiceConfig } from '@orch/platform';
import { WithMasterKeys } from '@orch/secrets';

export class WebhookIngressConfig extends WithMasterKeys(VerifyingServiceConfig) {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  WEBHOOK_INGRESS_PORT = 4003;
}
