import { Module } from '@nestjs/common';
import { ConfigsModule } from '../configs/configs.module';
import { CONNECTOR_TYPE_PROVIDERS } from '../connectors/connector-types.provider';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { BundlesController } from './bundles.controller';
import { BundlesService } from './bundles.service';

/** A workspace's configuration as one document: export, and import with a dry-run plan (seed §1.5). */
@Module({
  imports: [WorkspacesModule, ConfigsModule],
  controllers: [BundlesController],
  providers: [BundlesService, ...CONNECTOR_TYPE_PROVIDERS],
})
export class BundlesModule {}
