import { type DynamicModule, Module } from '@nestjs/common';
import { SecretsCoreModule, type SecretsCoreOptions } from '@orch/secrets';
import { WebhookMetrics } from './webhook-metrics';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WEBHOOK_INGRESS_OPTIONS, type WebhookIngressOptions, WebhooksService } from './webhooks.service';

/** Needs DataModule and JobQueueModule (global) from the app; brings the secret resolver for route signing secrets. */
@Module({})
export class WebhooksModule {
  static forRoot(secrets: SecretsCoreOptions, options: WebhookIngressOptions): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [SecretsCoreModule.forRoot(secrets)],
      controllers: [WebhooksController],
      providers: [{ provide: WEBHOOK_INGRESS_OPTIONS, useValue: options }, WebhooksService, WebhooksRepository, WebhookMetrics],
    };
  }
}
