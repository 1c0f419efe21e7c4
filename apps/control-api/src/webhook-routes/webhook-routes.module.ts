import { Module } from '@nestjs/common';
import { CONNECTOR_TYPE_PROVIDERS } from '../connectors/connector-types.provider';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { WebhookRoutesController } from './webhook-routes.controller';
import { WebhookRoutesService } from './webhook-routes.service';

/** Where webhooks of a provider enter a workspace, and what happens to them (DESIGN §4, §6). */
@Module({
  imports: [WorkspacesModule],
  controllers: [WebhookRoutesController],
  providers: [WebhookRoutesService, ...CONNECTOR_TYPE_PROVIDERS],
})
export class WebhookRoutesModule {}
