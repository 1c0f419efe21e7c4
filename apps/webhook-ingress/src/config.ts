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

  /** How long a webhook route and its signing secrets are reused per process (ms; a change applies within this, at most twice it); 0 reads them per delivery. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  WEBHOOK_ROUTE_CACHE_MS = 1000;
}
