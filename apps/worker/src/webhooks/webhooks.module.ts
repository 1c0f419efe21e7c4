import { Module } from '@nestjs/common';
import { CallbacksModule } from '../callbacks/callbacks.module';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookProcessingMetrics } from './webhook-metrics';
import { WebhookSweeper } from './webhook-sweeper.service';
import { WebhooksProcessor } from './webhooks.processor';

/** Webhook inbox processing on the `webhooks` queue, and the sweeper that re-enqueues rows that lost their entry. */
@Module({
  imports: [CallbacksModule],
  providers: [WebhookDispatcher, WebhooksProcessor, WebhookSweeper, WebhookProcessingMetrics],
})
export class WebhooksModule {}
