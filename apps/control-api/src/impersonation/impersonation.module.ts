import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { ImpersonationController } from './impersonation.controller';
import { ImpersonationService } from './impersonation.service';

@Module({ imports: [WorkspacesModule], controllers: [ImpersonationController], providers: [ImpersonationService], exports: [ImpersonationService] })
export class ImpersonationModule {}
