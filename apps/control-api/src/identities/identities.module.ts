import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { OAuthTokenController } from './oauth-token.controller';
import { OAuthTokenService } from './oauth-token.service';
import { ServiceIdentitiesController } from './service-identities.controller';
import { ServiceIdentitiesService } from './service-identities.service';

/** Service identities of a workspace and the client-credentials token endpoint that serves them. */
@Module({
  imports: [WorkspacesModule],
  controllers: [ServiceIdentitiesController, OAuthTokenController],
  providers: [ServiceIdentitiesService, OAuthTokenService],
})
export class IdentitiesModule {}
