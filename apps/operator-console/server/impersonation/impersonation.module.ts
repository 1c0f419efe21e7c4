import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { ConsoleImpersonationController } from './impersonation.controller';
import { ConsoleImpersonationService } from './impersonation.service';

@Module({ imports: [SessionModule], controllers: [ConsoleImpersonationController], providers: [ConsoleImpersonationService] })
export class ConsoleImpersonationModule {}
