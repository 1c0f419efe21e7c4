import type { AppDefinition } from '@orch/platform';
import { AppModule } from './app.module';
import { WebhookIngressConfig } from './config';
import { configureWebhookRawBody } from './webhooks/raw-body';

export const webhookIngressApp: AppDefinition<WebhookIngressConfig> = {
  serviceName: 'webhook-ingress',
  description: 'Provider webhooks: verify, dedupe, store in the inbox, enqueue.',
  configClass: WebhookIngressConfig,
  port: (config) => config.WEBHOOK_INGRESS_PORT,
  module: (config) => AppModule.forRoot(config),
  configureFastify: configureWebhookRawBody,
};
