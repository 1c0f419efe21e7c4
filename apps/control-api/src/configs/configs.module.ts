import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { ConfigsController } from './configs.controller';
import { ConfigsService } from './configs.service';

/** Immutable versioned configs of a workspace and the pointer to the active one. */
@Module({
  imports: [WorkspacesModule],
  controllers: [ConfigsController],
  providers: [ConfigsService],
  exports: [ConfigsService],
})
export class ConfigsModule {}
