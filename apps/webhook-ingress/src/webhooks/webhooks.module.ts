import { type DynamicModule, Module } from '@nestjs/common';
import { SecretsCoreModule, type SecretsCoreOptions } from '@orch/secrets';
import { WebhookMetrics } from './webhook-metrics';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Needs DataModule and JobQueueModule (global) from the app; brings the secret resolver for route signing secrets. */
@Module({})
export class WebhooksModule {
  static forRoot(secrets: SecretsCoreOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [SecretsCoreModule.forRoot(secrets)],
      controllers: [WebhooksController],
      providers: [WebhooksService, WebhooksRepository, WebhookMetrics],
    };
  }
}
