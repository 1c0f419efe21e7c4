import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { CONNECTOR_TYPE_PROVIDERS } from './connector-types.provider';
import { ConnectorTypesController } from './connector-types.controller';
import { ConnectorsController } from './connectors.controller';
import { ConnectorsService } from './connectors.service';

/** Connector types (read-only registry) and the connectors of a workspace. */
@Module({
  imports: [WorkspacesModule],
  controllers: [ConnectorTypesController, ConnectorsController],
  providers: [ConnectorsService, ...CONNECTOR_TYPE_PROVIDERS],
})
export class ConnectorsModule {}
