import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { WebhookInboxController } from './webhook-inbox.controller';
import { WebhookInboxService } from './webhook-inbox.service';

/** A workspace's webhook inbox from the control plane: list, inspect, retry one or in bulk (issue 7). */
@Module({
  imports: [WorkspacesModule],
  controllers: [WebhookInboxController],
  providers: [WebhookInboxService],
})
export class WebhookInboxModule {}
